// Private to engine/protocol: the byte layout of v1 frames (docs/protocol.md) and
// little-endian loads and stores, shared by the decoder and the encoder so both read
// the layout from one place.
//
// Loads and stores go through memcpy, so unaligned input is fine; callers check bounds
// first. Stateless, any thread, no allocation.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/protocol/frame.hpp"

namespace sluice::proto::wire {

// Header: length u32, version u8, type u8, flags u16.
inline constexpr std::size_t length_at = 0;
inline constexpr std::size_t length_size = 4;
inline constexpr std::size_t version_at = 4;
inline constexpr std::size_t type_at = 5;
inline constexpr std::size_t flags_at = 6;
inline constexpr std::size_t fields_at = header_size;

// HELLO and WELCOME share their first three fields.
inline constexpr std::size_t session_id_at = 8;
inline constexpr std::size_t resume_token_at = 24;
inline constexpr std::size_t last_seq_at = 40;
inline constexpr std::size_t hello_token_len_at = 48;
inline constexpr std::size_t hello_fixed_size = 50;  // token follows
inline constexpr std::size_t welcome_idle_timeout_at = 48;
inline constexpr std::size_t welcome_resume_window_at = 52;
inline constexpr std::size_t welcome_max_frame_at = 56;
inline constexpr std::size_t welcome_size = 60;

inline constexpr std::size_t ping_nonce_at = 8;
inline constexpr std::size_t ping_fixed_size = 16;  // payload follows; PONG is the same

inline constexpr std::size_t code_at = 8;            // ERROR, GOAWAY, CLOSE
inline constexpr std::size_t error_fixed_size = 10;  // reason follows; CLOSE is the same
inline constexpr std::size_t goaway_reconnect_after_at = 10;
inline constexpr std::size_t goaway_fixed_size = 14;  // reason follows

// Topic frames. Every request starts with its request_id; a topic is a u16 topic_len
// followed by that many bytes.
inline constexpr std::size_t request_id_at = 8;  // SUBSCRIBE, UNSUBSCRIBE, PUBLISH, ACK
inline constexpr std::size_t topic_len_size = 2;
inline constexpr std::size_t subscribe_from_seq_at = 16;
inline constexpr std::size_t subscribe_topic_len_at = 24;
inline constexpr std::size_t subscribe_fixed_size = 26;  // topic follows, then nothing
inline constexpr std::size_t request_topic_len_at = 16;  // UNSUBSCRIBE and PUBLISH
inline constexpr std::size_t request_fixed_size = 18;    // topic follows (then PUBLISH's payload)
inline constexpr std::size_t ack_seq_at = 16;
inline constexpr std::size_t ack_status_at = 24;
inline constexpr std::size_t ack_request_type_at = 26;
inline constexpr std::size_t ack_size = 27;
inline constexpr std::size_t event_seq_at = 8;
inline constexpr std::size_t event_topic_len_at = 16;
inline constexpr std::size_t event_fixed_size = 18;  // topic follows, then payload

static_assert(hello_fixed_size + token_max == max_frame_min);
static_assert(subscribe_topic_len_at + topic_len_size == subscribe_fixed_size);
static_assert(request_topic_len_at + topic_len_size == request_fixed_size);
static_assert(event_topic_len_at + topic_len_size == event_fixed_size);

// C++20 has no std::byteswap; only big-endian hosts ever call this.
template <typename T>
[[nodiscard]] constexpr T byteswap_of(T value) noexcept {
  T swapped = 0;
  for (std::size_t i = 0; i < sizeof value; ++i) {
    swapped = static_cast<T>((swapped << 8) | ((value >> (8 * i)) & 0xff));
  }
  return swapped;
}
static_assert(byteswap_of<std::uint32_t>(0x01020304u) == 0x04030201u);

template <typename T>
[[nodiscard]] inline T load_le(const std::byte* at) noexcept {
  T value;
  std::memcpy(&value, at, sizeof value);
  if constexpr (std::endian::native == std::endian::big) value = byteswap_of(value);
  return value;
}

template <typename T>
inline void store_le(std::byte* at, T value) noexcept {
  if constexpr (std::endian::native == std::endian::big) value = byteswap_of(value);
  std::memcpy(at, &value, sizeof value);
}

[[nodiscard]] inline session_id load_id(const std::byte* at) noexcept {
  return session_id{.hi = load_le<std::uint64_t>(at), .lo = load_le<std::uint64_t>(at + 8)};
}

inline void store_id(std::byte* at, const session_id& id) noexcept {
  store_le(at, id.hi);
  store_le(at + 8, id.lo);
}

[[nodiscard]] inline std::string_view text_at(const std::byte* at, std::size_t size) noexcept {
  return {reinterpret_cast<const char*>(at), size};
}

inline void store_text(std::byte* at, std::string_view text) noexcept {
  if (!text.empty()) std::memcpy(at, text.data(), text.size());
}

}  // namespace sluice::proto::wire
