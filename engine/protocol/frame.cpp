#include "engine/protocol/frame.hpp"

#include <array>
#include <variant>

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
  };
  static_assert(names.back() == "server_error", "one name per code, in code order");
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

}  // namespace

frame_type type_of(const frame& f) noexcept {
  return std::visit([](const auto& alternative) { return type_code(alternative); }, f);
}

}  // namespace sluice::proto
