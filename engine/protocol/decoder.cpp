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

bool is_known(std::uint8_t type) noexcept {
  const auto in = [type](frame_type first, frame_type last) {
    return type >= static_cast<std::uint8_t>(first) && type <= static_cast<std::uint8_t>(last);
  };
  return in(frame_type::hello, frame_type::close) || in(frame_type::subscribe, frame_type::event);
}

std::uint16_t defined_flags(frame_type type) noexcept {
  switch (type) {
    case frame_type::hello:
      return hello_flag_resume;
    case frame_type::welcome:
      return welcome_flag_resumed;
    case frame_type::subscribe:
      return subscribe_flag_from_seq;
    case frame_type::publish:
      return publish_flag_ack;
    case frame_type::ack:
      return ack_flag_duplicate | ack_flag_truncated;
    case frame_type::event:
      return event_flag_gap;
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

// Topic frames carry a u16 topic_len at `len_at`, the topic right after it. Callers have
// checked that the fixed fields (so topic_len) are present.

// The offset just past the topic: past the frame's end when topic_len lies.
std::size_t topic_end(std::span<const std::byte> f, std::size_t len_at) noexcept {
  return len_at + wire::topic_len_size + load_le<std::uint16_t>(&f[len_at]);
}

// Only once topic_end(f, len_at) <= f.size().
std::string_view topic_of(std::span<const std::byte> f, std::size_t len_at) noexcept {
  const std::size_t at = len_at + wire::topic_len_size;
  return wire::text_at(f.data() + at, topic_end(f, len_at) - at);
}

decode_result decode_subscribe(std::span<const std::byte> f, std::uint16_t flags) noexcept {
  if (f.size() < wire::subscribe_fixed_size) {
    return refuse(error_code::truncated, "SUBSCRIBE shorter than its fixed fields");
  }
  const std::size_t end = topic_end(f, wire::subscribe_topic_len_at);
  if (end > f.size()) return refuse(error_code::bad_fields, "SUBSCRIBE topic_len past the end");
  if (end < f.size()) return refuse(error_code::bad_fields, "SUBSCRIBE length does not match topic_len");
  const subscribe_frame subscribe{
      .request_id = load_le<std::uint64_t>(&f[wire::request_id_at]),
      .has_from_seq = (flags & subscribe_flag_from_seq) != 0,
      .from_seq = load_le<std::uint64_t>(&f[wire::subscribe_from_seq_at]),
      .topic = topic_of(f, wire::subscribe_topic_len_at),
  };
  // A zero from_seq without FROM_SEQ keeps the encoding canonical, like HELLO's resume fields.
  if (!subscribe.has_from_seq && subscribe.from_seq != 0) {
    return refuse(error_code::bad_fields, "SUBSCRIBE from_seq set without FROM_SEQ");
  }
  return done(f.size(), subscribe);
}

decode_result decode_unsubscribe(std::span<const std::byte> f) noexcept {
  if (f.size() < wire::request_fixed_size) {
    return refuse(error_code::truncated, "UNSUBSCRIBE shorter than its fixed fields");
  }
  const std::size_t end = topic_end(f, wire::request_topic_len_at);
  if (end > f.size()) return refuse(error_code::bad_fields, "UNSUBSCRIBE topic_len past the end");
  if (end < f.size()) return refuse(error_code::bad_fields, "UNSUBSCRIBE length does not match topic_len");
  return done(f.size(), unsubscribe_frame{
                            .request_id = load_le<std::uint64_t>(&f[wire::request_id_at]),
                            .topic = topic_of(f, wire::request_topic_len_at),
                        });
}

decode_result decode_publish(std::span<const std::byte> f, std::uint16_t flags) noexcept {
  if (f.size() < wire::request_fixed_size) {
    return refuse(error_code::truncated, "PUBLISH shorter than its fixed fields");
  }
  const std::size_t end = topic_end(f, wire::request_topic_len_at);
  if (end > f.size()) return refuse(error_code::bad_fields, "PUBLISH topic_len past the end");
  // The payload's size limit is max_payload, a server setting: the server answers it in an ACK.
  return done(f.size(), publish_frame{
                            .ack = (flags & publish_flag_ack) != 0,
                            .request_id = load_le<std::uint64_t>(&f[wire::request_id_at]),
                            .topic = topic_of(f, wire::request_topic_len_at),
                            .payload = wire::text_at(f.data() + end, f.size() - end),
                        });
}

decode_result decode_ack(std::span<const std::byte> f, std::uint16_t flags) noexcept {
  if (f.size() < wire::ack_size) return refuse(error_code::truncated, "ACK shorter than its fixed fields");
  if (f.size() > wire::ack_size) return refuse(error_code::bad_fields, "ACK longer than 27 bytes");
  // status and request_type keep any value: a newer server may answer with codes this build does not know.
  return done(f.size(),
              ack_frame{
                  .duplicate = (flags & ack_flag_duplicate) != 0,
                  .truncated = (flags & ack_flag_truncated) != 0,
                  .request_id = load_le<std::uint64_t>(&f[wire::request_id_at]),
                  .seq = load_le<std::uint64_t>(&f[wire::ack_seq_at]),
                  .status = static_cast<error_code>(load_le<std::uint16_t>(&f[wire::ack_status_at])),
                  .request_type = static_cast<frame_type>(std::to_integer<std::uint8_t>(f[wire::ack_request_type_at])),
              });
}

decode_result decode_event(std::span<const std::byte> f, std::uint16_t flags) noexcept {
  if (f.size() < wire::event_fixed_size) return refuse(error_code::truncated, "EVENT shorter than its fixed fields");
  const std::size_t end = topic_end(f, wire::event_topic_len_at);
  if (end > f.size()) return refuse(error_code::bad_fields, "EVENT topic_len past the end");
  const event_frame event{
      .gap = (flags & event_flag_gap) != 0,
      .seq = load_le<std::uint64_t>(&f[wire::event_seq_at]),
      .topic = topic_of(f, wire::event_topic_len_at),
      .payload = wire::text_at(f.data() + end, f.size() - end),
  };
  if (event.gap && event.payload.size() != gap_payload_size) {
    return refuse(error_code::bad_fields, "EVENT gap marker payload is not 8 bytes");
  }
  return done(f.size(), event);
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
  if (!is_known(type_code)) return refuse(error_code::unknown_type, "unknown frame type");
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
    case frame_type::subscribe:
      return decode_subscribe(f, flags);
    case frame_type::unsubscribe:
      return decode_unsubscribe(f);
    case frame_type::publish:
      return decode_publish(f, flags);
    case frame_type::ack:
      return decode_ack(f, flags);
    case frame_type::event:
      return decode_event(f, flags);
  }
  SLUICE_ASSERT(false && "frame type passed is_known but has no decoder");
  return refuse(error_code::unknown_type, "unknown frame type");
}

}  // namespace sluice::proto
