// The frames of the sluice native protocol, version 1 (docs/protocol.md), as values.
//
// Decoded frames are views: their string_view fields point into the bytes they were
// decoded from, so a frame must not outlive its input buffer. Value types, any thread.
#pragma once

#include <array>
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
inline constexpr std::uint16_t subscribe_flag_from_seq = 0x0001;
inline constexpr std::uint16_t publish_flag_ack = 0x0001;
inline constexpr std::uint16_t ack_flag_duplicate = 0x0001;
inline constexpr std::uint16_t ack_flag_truncated = 0x0002;
inline constexpr std::uint16_t event_flag_gap = 0x0001;
// The longest topic name check_topic accepts. The decoder does not enforce it: a
// topic_len above it is a refused request (bad_topic in an ACK), not a malformed frame.
inline constexpr std::size_t topic_max = 200;
// A GAP event's payload: last_dropped as a u64.
inline constexpr std::size_t gap_payload_size = 8;

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
  // Topic request refusals: sent as ACK status, the connection stays open.
  bad_topic = 20,
  too_many_subscriptions,
  payload_too_large,
  publish_rate_limited,
  not_subscribed,
  bad_request_id,
  too_many_topics,
  request_pending,
};
inline constexpr std::size_t error_code_count = 28;  // codes 0..27; a u16 off the wire may hold other values

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

// Topic frames. request_id, topic and payload are kept as sent: that request_id is not
// 0 and that the topic is a valid name are the server's checks (answered in an ACK), not
// the decoder's.

struct subscribe_frame {
  std::uint64_t request_id = 0;
  bool has_from_seq = false;  // FROM_SEQ; without it from_seq is 0 on the wire
  std::uint64_t from_seq = 0;
  std::string_view topic{};

  friend bool operator==(const subscribe_frame&, const subscribe_frame&) = default;
};

struct unsubscribe_frame {
  std::uint64_t request_id = 0;
  std::string_view topic{};

  friend bool operator==(const unsubscribe_frame&, const unsubscribe_frame&) = default;
};

struct publish_frame {
  bool ack = false;  // ACK: answer success too, not only refusals
  std::uint64_t request_id = 0;
  std::string_view topic{};
  std::string_view payload{};  // opaque bytes

  friend bool operator==(const publish_frame&, const publish_frame&) = default;
};

struct ack_frame {
  bool duplicate = false;  // DUPLICATE
  bool truncated = false;  // TRUNCATED
  std::uint64_t request_id = 0;
  std::uint64_t seq = 0;
  error_code status = error_code::none;           // any u16 off the wire, like ERROR's code
  frame_type request_type = frame_type::publish;  // any u8 off the wire

  friend bool operator==(const ack_frame&, const ack_frame&) = default;
};

struct event_frame {
  bool gap = false;  // GAP: a gap marker; payload is last_dropped (see gap_last_dropped)
  std::uint64_t seq = 0;
  std::string_view topic{};
  std::string_view payload{};

  friend bool operator==(const event_frame&, const event_frame&) = default;
};

using frame = std::variant<hello_frame, welcome_frame, ping_frame, pong_frame, error_frame, goaway_frame, close_frame,
                           subscribe_frame, unsubscribe_frame, publish_frame, ack_frame, event_frame>;

// The wire type code of the frame `f` holds.
[[nodiscard]] frame_type type_of(const frame& f) noexcept;

// The server's check of a topic name (the decoder does not apply it): none when `topic`
// is 1..topic_max bytes of [A-Za-z0-9._-/:], else bad_topic.
[[nodiscard]] error_code check_topic(std::string_view topic) noexcept;

// A GAP event's payload bytes for `last_dropped`. The event_frame views them, so keep
// the array alive while the frame is used: event_frame{.gap = true, .payload = {p.data(), p.size()}}.
using gap_payload = std::array<char, gap_payload_size>;
[[nodiscard]] gap_payload gap_payload_of(std::uint64_t last_dropped) noexcept;
// last_dropped of a GAP event; asserts gap and an 8-byte payload (the decoder ensures both).
[[nodiscard]] std::uint64_t gap_last_dropped(const event_frame& event) noexcept;

}  // namespace sluice::proto
