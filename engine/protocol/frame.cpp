#include "engine/protocol/frame.hpp"

#include <array>
#include <variant>

#include "engine/assert.hpp"
#include "engine/protocol/wire.hpp"

namespace sluice::proto {

std::string_view error_code_name(error_code code) noexcept {
  static constexpr std::array<std::string_view, error_code_count> names = {
      "none",
      "bad_length",
      "frame_too_large",
      "bad_version",
      "unknown_type",
      "bad_flags",
      "truncated",
      "bad_fields",
      "not_implemented",
      "unexpected_frame",
      "handshake_timeout",
      "idle_timeout",
      "capacity",
      "rate_limited",
      "penalized",
      "too_many_connections",
      "slow_consumer",
      "shutting_down",
      "session_taken_over",
      "server_error",
      "bad_topic",
      "too_many_subscriptions",
      "payload_too_large",
      "publish_rate_limited",
      "not_subscribed",
      "bad_request_id",
      "too_many_topics",
      "request_pending",
  };
  static_assert(names.back() == "request_pending", "one name per code, in code order");
  const auto index = static_cast<std::size_t>(code);
  return index < names.size() ? names[index] : "unknown";
}

std::string_view frame_type_name(frame_type type) noexcept {
  switch (type) {
    case frame_type::hello:
      return "HELLO";
    case frame_type::welcome:
      return "WELCOME";
    case frame_type::ping:
      return "PING";
    case frame_type::pong:
      return "PONG";
    case frame_type::error:
      return "ERROR";
    case frame_type::goaway:
      return "GOAWAY";
    case frame_type::close:
      return "CLOSE";
    case frame_type::subscribe:
      return "SUBSCRIBE";
    case frame_type::unsubscribe:
      return "UNSUBSCRIBE";
    case frame_type::publish:
      return "PUBLISH";
    case frame_type::ack:
      return "ACK";
    case frame_type::event:
      return "EVENT";
  }
  return "unknown";
}

namespace {

constexpr frame_type type_code(const hello_frame&) noexcept { return frame_type::hello; }
constexpr frame_type type_code(const welcome_frame&) noexcept { return frame_type::welcome; }
constexpr frame_type type_code(const ping_frame&) noexcept { return frame_type::ping; }
constexpr frame_type type_code(const pong_frame&) noexcept { return frame_type::pong; }
constexpr frame_type type_code(const error_frame&) noexcept { return frame_type::error; }
constexpr frame_type type_code(const goaway_frame&) noexcept { return frame_type::goaway; }
constexpr frame_type type_code(const close_frame&) noexcept { return frame_type::close; }
constexpr frame_type type_code(const subscribe_frame&) noexcept { return frame_type::subscribe; }
constexpr frame_type type_code(const unsubscribe_frame&) noexcept { return frame_type::unsubscribe; }
constexpr frame_type type_code(const publish_frame&) noexcept { return frame_type::publish; }
constexpr frame_type type_code(const ack_frame&) noexcept { return frame_type::ack; }
constexpr frame_type type_code(const event_frame&) noexcept { return frame_type::event; }

// ASCII only, spelled out: <cctype> depends on the locale and would pass other bytes.
constexpr bool is_topic_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '/' || c == ':';
}

}  // namespace

frame_type type_of(const frame& f) noexcept {
  return std::visit([](const auto& alternative) { return type_code(alternative); }, f);
}

error_code check_topic(std::string_view topic) noexcept {
  if (topic.empty() || topic.size() > topic_max) return error_code::bad_topic;
  for (const char c : topic) {
    if (!is_topic_char(c)) return error_code::bad_topic;
  }
  return error_code::none;
}

gap_payload gap_payload_of(std::uint64_t last_dropped) noexcept {
  gap_payload payload{};
  wire::store_le(reinterpret_cast<std::byte*>(payload.data()), last_dropped);
  return payload;
}

std::uint64_t gap_last_dropped(const event_frame& event) noexcept {
  SLUICE_ASSERT(event.gap && event.payload.size() == gap_payload_size);
  return wire::load_le<std::uint64_t>(reinterpret_cast<const std::byte*>(event.payload.data()));
}

}  // namespace sluice::proto
