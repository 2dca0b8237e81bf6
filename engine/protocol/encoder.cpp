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

std::uint16_t flags_of(const hello_frame& f) noexcept { return f.resume ? hello_flag_resume : 0; }
std::uint16_t flags_of(const welcome_frame& f) noexcept { return f.resumed ? welcome_flag_resumed : 0; }
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
