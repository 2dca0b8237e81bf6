#include "engine/protocol/encoder.hpp"

#include <cstdint>
#include <limits>
#include <variant>

#include "engine/assert.hpp"
#include "engine/protocol/wire.hpp"

namespace sluice::proto {
namespace {

using wire::store_le;

std::string_view cut_reason(std::string_view reason) noexcept { return reason.substr(0, reason_max); }

std::size_t size_of(const hello_frame& f) noexcept {
  SLUICE_ASSERT(f.token.size() <= token_max);
  return wire::hello_fixed_size + f.token.size();
}
std::size_t size_of(const welcome_frame&) noexcept { return wire::welcome_size; }
std::size_t size_of(const ping_frame& f) noexcept { return wire::ping_fixed_size + f.payload.size(); }
std::size_t size_of(const pong_frame& f) noexcept { return wire::ping_fixed_size + f.payload.size(); }
std::size_t size_of(const error_frame& f) noexcept { return wire::error_fixed_size + cut_reason(f.reason).size(); }
std::size_t size_of(const goaway_frame& f) noexcept { return wire::goaway_fixed_size + cut_reason(f.reason).size(); }
std::size_t size_of(const close_frame& f) noexcept { return wire::error_fixed_size + cut_reason(f.reason).size(); }

// Any topic a u16 topic_len can say is encoded, also one check_topic refuses: the decoder
// accepts those (the server refuses them in an ACK), so encode(decode(bytes)) == bytes.
std::size_t topic_size(std::string_view topic) noexcept {
  SLUICE_ASSERT(topic.size() <= std::numeric_limits<std::uint16_t>::max());
  return topic.size();
}
std::size_t size_of(const subscribe_frame& f) noexcept { return wire::subscribe_fixed_size + topic_size(f.topic); }
std::size_t size_of(const unsubscribe_frame& f) noexcept { return wire::request_fixed_size + topic_size(f.topic); }
std::size_t size_of(const publish_frame& f) noexcept {
  return wire::request_fixed_size + topic_size(f.topic) + f.payload.size();
}
std::size_t size_of(const ack_frame&) noexcept { return wire::ack_size; }
std::size_t size_of(const event_frame& f) noexcept {
  return wire::event_fixed_size + topic_size(f.topic) + f.payload.size();
}

std::uint16_t flags_of(const hello_frame& f) noexcept { return f.resume ? hello_flag_resume : 0; }
std::uint16_t flags_of(const welcome_frame& f) noexcept { return f.resumed ? welcome_flag_resumed : 0; }
std::uint16_t flags_of(const subscribe_frame& f) noexcept { return f.has_from_seq ? subscribe_flag_from_seq : 0; }
std::uint16_t flags_of(const publish_frame& f) noexcept { return f.ack ? publish_flag_ack : 0; }
std::uint16_t flags_of(const ack_frame& f) noexcept {
  return static_cast<std::uint16_t>((f.duplicate ? ack_flag_duplicate : 0) | (f.truncated ? ack_flag_truncated : 0));
}
std::uint16_t flags_of(const event_frame& f) noexcept { return f.gap ? event_flag_gap : 0; }
template <typename Frame>
std::uint16_t flags_of(const Frame&) noexcept {
  return 0;
}

// Each write_fields gets the frame's whole buffer (header included), already sized.

void write_fields(const hello_frame& f, std::byte* out) noexcept {
  SLUICE_ASSERT(f.resume || (f.id == session_id{} && f.resume_token == session_id{} && f.last_seq == 0));
  wire::store_id(out + wire::session_id_at, f.id);
  wire::store_id(out + wire::resume_token_at, f.resume_token);
  store_le(out + wire::last_seq_at, f.last_seq);
  store_le(out + wire::hello_token_len_at, static_cast<std::uint16_t>(f.token.size()));
  wire::store_text(out + wire::hello_fixed_size, f.token);
}

void write_fields(const welcome_frame& f, std::byte* out) noexcept {
  wire::store_id(out + wire::session_id_at, f.id);
  wire::store_id(out + wire::resume_token_at, f.resume_token);
  store_le(out + wire::last_seq_at, f.last_seq);
  store_le(out + wire::welcome_idle_timeout_at, f.idle_timeout_ms);
  store_le(out + wire::welcome_resume_window_at, f.resume_window_ms);
  store_le(out + wire::welcome_max_frame_at, f.max_frame);
}

void write_ping_or_pong(std::uint64_t nonce, std::string_view payload, std::byte* out) noexcept {
  store_le(out + wire::ping_nonce_at, nonce);
  wire::store_text(out + wire::ping_fixed_size, payload);
}
void write_fields(const ping_frame& f, std::byte* out) noexcept { write_ping_or_pong(f.nonce, f.payload, out); }
void write_fields(const pong_frame& f, std::byte* out) noexcept { write_ping_or_pong(f.nonce, f.payload, out); }

void write_code_and_reason(error_code code, std::string_view reason, std::byte* out) noexcept {
  store_le(out + wire::code_at, static_cast<std::uint16_t>(code));
  wire::store_text(out + wire::error_fixed_size, cut_reason(reason));
}
void write_fields(const error_frame& f, std::byte* out) noexcept { write_code_and_reason(f.code, f.reason, out); }
void write_fields(const close_frame& f, std::byte* out) noexcept { write_code_and_reason(f.code, f.reason, out); }

void write_fields(const goaway_frame& f, std::byte* out) noexcept {
  store_le(out + wire::code_at, static_cast<std::uint16_t>(f.code));
  store_le(out + wire::goaway_reconnect_after_at, f.reconnect_after_ms);
  wire::store_text(out + wire::goaway_fixed_size, cut_reason(f.reason));
}

// Writes topic_len at `len_at` and the topic after it; returns the offset just past it.
std::size_t write_topic(std::string_view topic, std::size_t len_at, std::byte* out) noexcept {
  store_le(out + len_at, static_cast<std::uint16_t>(topic.size()));  // size_of asserted it fits
  wire::store_text(out + len_at + wire::topic_len_size, topic);
  return len_at + wire::topic_len_size + topic.size();
}

void write_fields(const subscribe_frame& f, std::byte* out) noexcept {
  SLUICE_ASSERT(f.has_from_seq || f.from_seq == 0);  // the decoder refuses from_seq without FROM_SEQ
  store_le(out + wire::request_id_at, f.request_id);
  store_le(out + wire::subscribe_from_seq_at, f.from_seq);
  (void)write_topic(f.topic, wire::subscribe_topic_len_at, out);
}

void write_fields(const unsubscribe_frame& f, std::byte* out) noexcept {
  store_le(out + wire::request_id_at, f.request_id);
  (void)write_topic(f.topic, wire::request_topic_len_at, out);
}

void write_fields(const publish_frame& f, std::byte* out) noexcept {
  store_le(out + wire::request_id_at, f.request_id);
  wire::store_text(out + write_topic(f.topic, wire::request_topic_len_at, out), f.payload);
}

void write_fields(const ack_frame& f, std::byte* out) noexcept {
  store_le(out + wire::request_id_at, f.request_id);
  store_le(out + wire::ack_seq_at, f.seq);
  store_le(out + wire::ack_status_at, static_cast<std::uint16_t>(f.status));
  out[wire::ack_request_type_at] = static_cast<std::byte>(f.request_type);
}

void write_fields(const event_frame& f, std::byte* out) noexcept {
  SLUICE_ASSERT(!f.gap || f.payload.size() == gap_payload_size);  // the decoder refuses other gap payloads
  store_le(out + wire::event_seq_at, f.seq);
  wire::store_text(out + write_topic(f.topic, wire::event_topic_len_at, out), f.payload);
}

}  // namespace

std::size_t encoded_size(const frame& f) noexcept {
  return std::visit([](const auto& alternative) { return size_of(alternative); }, f);
}

std::size_t encode_frame(const frame& f, std::span<std::byte> out) noexcept {
  const std::size_t size = encoded_size(f);
  SLUICE_ASSERT(size <= std::numeric_limits<std::uint32_t>::max());
  SLUICE_ASSERT(out.size() >= size);
  std::byte* const at = out.data();
  store_le(at + wire::length_at, static_cast<std::uint32_t>(size));
  at[wire::version_at] = std::byte{protocol_version};
  at[wire::type_at] = static_cast<std::byte>(type_of(f));
  std::visit(
      [at](const auto& alternative) {
        store_le(at + wire::flags_at, flags_of(alternative));
        write_fields(alternative, at);
      },
      f);
  return size;
}

}  // namespace sluice::proto
