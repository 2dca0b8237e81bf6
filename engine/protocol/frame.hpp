// The frames of the sluice native protocol, version 1 (docs/protocol.md), as values.
//
// Decoded frames are views: their string_view fields point into the bytes they were
// decoded from, so a frame must not outlive its input buffer. Value types, any thread.
// The reserved types (SUBSCRIBE .. EVENT) have codes but no struct: v1 refuses them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "engine/session_id.hpp"

namespace sluice::proto {

inline constexpr std::uint8_t protocol_version = 1;
inline constexpr std::size_t header_size = 8;
inline constexpr std::uint32_t max_frame_default = 1u << 20;
inline constexpr std::size_t reason_max = 256;
inline constexpr std::size_t token_max = 4096;
// The largest valid HELLO (fixed fields + the longest token). A client learns
// max_frame only from WELCOME, after its HELLO, so a server's max_frame below this
// would refuse valid HELLOs: configurations must not go lower.
inline constexpr std::uint32_t max_frame_min = 50 + token_max;

inline constexpr std::uint16_t hello_flag_resume = 0x0001;
inline constexpr std::uint16_t welcome_flag_resumed = 0x0001;

enum class frame_type : std::uint8_t {
  hello = 0x01,
  welcome = 0x02,
  ping = 0x03,
  pong = 0x04,
  error = 0x05,
  goaway = 0x06,
  close = 0x07,
  subscribe = 0x10,
  unsubscribe = 0x11,
  publish = 0x12,
  ack = 0x13,
  event = 0x14,
};

enum class error_code : std::uint16_t {
  none = 0,
  bad_length,
  frame_too_large,
  bad_version,
  unknown_type,
  bad_flags,
  truncated,
  bad_fields,
  not_implemented,
  unexpected_frame,
  handshake_timeout,
  idle_timeout,
  capacity,
  rate_limited,
  penalized,
  too_many_connections,
  slow_consumer,
  shutting_down,
  session_taken_over,
  server_error,
};
inline constexpr std::size_t error_code_count = 20;  // codes 0..19; a u16 off the wire may hold other values

// "bad_length" ...; "unknown" for values >= error_code_count.
[[nodiscard]] std::string_view error_code_name(error_code code) noexcept;
// "HELLO" ...; "unknown" for codes not in the table.
[[nodiscard]] std::string_view frame_type_name(frame_type type) noexcept;

// Every member has an initializer, so designated initializers may leave any out
// without tripping -Wmissing-field-initializers.
struct hello_frame {
  bool resume = false;
  session_id id{};
  session_id resume_token{};
  std::uint64_t last_seq = 0;
  std::string_view token{};

  friend bool operator==(const hello_frame&, const hello_frame&) = default;
};

struct welcome_frame {
  bool resumed = false;
  session_id id{};
  session_id resume_token{};
  std::uint64_t last_seq = 0;
  std::uint32_t idle_timeout_ms = 0, resume_window_ms = 0, max_frame = 0;

  friend bool operator==(const welcome_frame&, const welcome_frame&) = default;
};

struct ping_frame {
  std::uint64_t nonce = 0;
  std::string_view payload{};  // opaque bytes

  friend bool operator==(const ping_frame&, const ping_frame&) = default;
};

struct pong_frame {
  std::uint64_t nonce = 0;
  std::string_view payload{};  // opaque bytes

  friend bool operator==(const pong_frame&, const pong_frame&) = default;
};

struct error_frame {
  error_code code = error_code::none;
  std::string_view reason{};

  friend bool operator==(const error_frame&, const error_frame&) = default;
};

struct goaway_frame {
  error_code code = error_code::none;
  std::uint32_t reconnect_after_ms = 0;
  std::string_view reason{};

  friend bool operator==(const goaway_frame&, const goaway_frame&) = default;
};

struct close_frame {
  error_code code = error_code::none;
  std::string_view reason{};

  friend bool operator==(const close_frame&, const close_frame&) = default;
};

using frame = std::variant<hello_frame, welcome_frame, ping_frame, pong_frame, error_frame, goaway_frame, close_frame>;

// The wire type code of the frame `f` holds.
[[nodiscard]] frame_type type_of(const frame& f) noexcept;

}  // namespace sluice::proto
