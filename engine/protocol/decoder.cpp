#include "engine/protocol/decoder.hpp"

#include "engine/assert.hpp"
#include "engine/protocol/wire.hpp"

namespace sluice::proto {
namespace {

using wire::load_le;

decode_result need(std::size_t total) noexcept {
  decode_result r;
  r.status = decode_status::need_more;
  r.size = total;
  return r;
}

decode_result refuse(error_code code, std::string_view reason) noexcept {
  decode_result r;
  r.status = decode_status::error;
  r.error = code;
  r.reason = reason;
  return r;
}

decode_result done(std::size_t length, const frame& value) noexcept {
  decode_result r;
  r.status = decode_status::complete;
  r.size = length;
  r.value = value;
  return r;
}

bool is_reserved(std::uint8_t type) noexcept {
  return type >= static_cast<std::uint8_t>(frame_type::subscribe) &&
         type <= static_cast<std::uint8_t>(frame_type::event);
}

bool is_v1(std::uint8_t type) noexcept {
  return type >= static_cast<std::uint8_t>(frame_type::hello) && type <= static_cast<std::uint8_t>(frame_type::close);
}

std::uint16_t defined_flags(frame_type type) noexcept {
  switch (type) {
    case frame_type::hello:
      return hello_flag_resume;
    case frame_type::welcome:
      return welcome_flag_resumed;
    default:
      return 0;
  }
}

// Each decode_* gets exactly the frame's bytes, header included, with the flags already
// checked. Offsets past the fixed fields go through data(): a variable part may be empty.

decode_result decode_hello(std::span<const std::byte> f, std::uint16_t flags) noexcept {
  if (f.size() < wire::hello_fixed_size) return refuse(error_code::truncated, "HELLO shorter than its fixed fields");
  const std::uint16_t token_len = load_le<std::uint16_t>(&f[wire::hello_token_len_at]);
  if (token_len > token_max) return refuse(error_code::bad_fields, "HELLO token_len above 4096");
  if (f.size() != wire::hello_fixed_size + token_len) {
    return refuse(error_code::bad_fields, "HELLO length does not match token_len");
  }
  const hello_frame hello{
      .resume = (flags & hello_flag_resume) != 0,
      .id = wire::load_id(&f[wire::session_id_at]),
      .resume_token = wire::load_id(&f[wire::resume_token_at]),
      .last_seq = load_le<std::uint64_t>(&f[wire::last_seq_at]),
      .token = wire::text_at(f.data() + wire::hello_fixed_size, token_len),
  };
  // Zero resume fields without RESUME keep the encoding canonical (one frame, one byte string).
  if (!hello.resume && (hello.id != session_id{} || hello.resume_token != session_id{} || hello.last_seq != 0)) {
    return refuse(error_code::bad_fields, "HELLO resume fields set without RESUME");
  }
  return done(f.size(), hello);
}

decode_result decode_welcome(std::span<const std::byte> f, std::uint16_t flags) noexcept {
  if (f.size() < wire::welcome_size) return refuse(error_code::truncated, "WELCOME shorter than its fixed fields");
  if (f.size() > wire::welcome_size) return refuse(error_code::bad_fields, "WELCOME longer than 60 bytes");
  return done(f.size(), welcome_frame{
                            .resumed = (flags & welcome_flag_resumed) != 0,
                            .id = wire::load_id(&f[wire::session_id_at]),
                            .resume_token = wire::load_id(&f[wire::resume_token_at]),
                            .last_seq = load_le<std::uint64_t>(&f[wire::last_seq_at]),
                            .idle_timeout_ms = load_le<std::uint32_t>(&f[wire::welcome_idle_timeout_at]),
                            .resume_window_ms = load_le<std::uint32_t>(&f[wire::welcome_resume_window_at]),
                            .max_frame = load_le<std::uint32_t>(&f[wire::welcome_max_frame_at]),
                        });
}

template <typename PingOrPong>
decode_result decode_ping_or_pong(std::span<const std::byte> f) noexcept {
  if (f.size() < wire::ping_fixed_size) return refuse(error_code::truncated, "PING/PONG shorter than its fixed fields");
  return done(f.size(),
              PingOrPong{
                  .nonce = load_le<std::uint64_t>(&f[wire::ping_nonce_at]),
                  .payload = wire::text_at(f.data() + wire::ping_fixed_size, f.size() - wire::ping_fixed_size),
              });
}

// The reason runs from `at` to the end of the frame.
bool reason_fits(std::span<const std::byte> f, std::size_t at) noexcept { return f.size() - at <= reason_max; }

std::string_view reason_of(std::span<const std::byte> f, std::size_t at) noexcept {
  return wire::text_at(f.data() + at, f.size() - at);
}

error_code code_of(std::span<const std::byte> f) noexcept {
  // Any u16 is kept: codes newer than this build pass through (docs: unknown codes are fatal, not malformed).
  return static_cast<error_code>(load_le<std::uint16_t>(&f[wire::code_at]));
}

template <typename ErrorOrClose>
decode_result decode_error_or_close(std::span<const std::byte> f) noexcept {
  if (f.size() < wire::error_fixed_size)
    return refuse(error_code::truncated, "ERROR/CLOSE shorter than its fixed fields");
  if (!reason_fits(f, wire::error_fixed_size)) return refuse(error_code::bad_fields, "reason longer than 256 bytes");
  return done(f.size(), ErrorOrClose{.code = code_of(f), .reason = reason_of(f, wire::error_fixed_size)});
}

decode_result decode_goaway(std::span<const std::byte> f) noexcept {
  if (f.size() < wire::goaway_fixed_size) return refuse(error_code::truncated, "GOAWAY shorter than its fixed fields");
  if (!reason_fits(f, wire::goaway_fixed_size)) return refuse(error_code::bad_fields, "reason longer than 256 bytes");
  return done(f.size(), goaway_frame{
                            .code = code_of(f),
                            .reconnect_after_ms = load_le<std::uint32_t>(&f[wire::goaway_reconnect_after_at]),
                            .reason = reason_of(f, wire::goaway_fixed_size),
                        });
}

}  // namespace

decode_result decode_frame(std::span<const std::byte> input, std::uint32_t max_frame) noexcept {
  // Header checks run in byte order as the bytes arrive, so a refused frame is refused
  // from its header and its body is never waited for.
  if (input.size() < wire::length_size) return need(wire::length_size);
  const std::uint32_t length = load_le<std::uint32_t>(&input[wire::length_at]);
  if (length < header_size) return refuse(error_code::bad_length, "frame length below 8");
  if (length > max_frame) return refuse(error_code::frame_too_large, "frame length above max_frame");

  if (input.size() <= wire::version_at) return need(header_size);
  if (std::to_integer<std::uint8_t>(input[wire::version_at]) != protocol_version) {
    return refuse(error_code::bad_version, "unsupported protocol version");
  }

  if (input.size() <= wire::type_at) return need(header_size);
  const auto type_code = std::to_integer<std::uint8_t>(input[wire::type_at]);
  if (is_reserved(type_code)) return refuse(error_code::not_implemented, "frame type reserved, not implemented");
  if (!is_v1(type_code)) return refuse(error_code::unknown_type, "unknown frame type");
  const auto type = static_cast<frame_type>(type_code);

  if (input.size() < header_size) return need(header_size);
  const std::uint16_t flags = load_le<std::uint16_t>(&input[wire::flags_at]);
  if ((flags & ~defined_flags(type)) != 0) return refuse(error_code::bad_flags, "undefined flag bits set");

  if (input.size() < length) return need(length);
  const std::span<const std::byte> f = input.first(length);
  switch (type) {
    case frame_type::hello:
      return decode_hello(f, flags);
    case frame_type::welcome:
      return decode_welcome(f, flags);
    case frame_type::ping:
      return decode_ping_or_pong<ping_frame>(f);
    case frame_type::pong:
      return decode_ping_or_pong<pong_frame>(f);
    case frame_type::error:
      return decode_error_or_close<error_frame>(f);
    case frame_type::goaway:
      return decode_goaway(f);
    case frame_type::close:
      return decode_error_or_close<close_frame>(f);
    default:
      break;  // is_v1 let only the types above through
  }
  SLUICE_ASSERT(false && "frame type passed is_v1 but has no decoder");
  return refuse(error_code::unknown_type, "unknown frame type");
}

}  // namespace sluice::proto
