// Encodes v1 frames (docs/protocol.md) into a caller's buffer.
//
// Stateless and allocation-free, any thread. The encoding is canonical: decoding the
// bytes gives back an equal frame, and encoding a decoded frame gives back its bytes.
#pragma once

#include <cstddef>
#include <span>

#include "engine/protocol/frame.hpp"

namespace sluice::proto {

// Bytes encode_frame writes for `f`, after cutting an over-long reason.
[[nodiscard]] std::size_t encoded_size(const frame& f) noexcept;

// Writes `f` at the start of `out`, which must hold encoded_size(f) bytes (asserted);
// returns the bytes written. Reasons longer than reason_max are cut to reason_max (at a
// byte boundary, which may split a UTF-8 sequence: reasons are diagnostics). Topics and
// payloads are written as given, valid or not (check_topic is the server's check). Caller
// bugs, asserted, all frames the decoder would refuse: a token longer than token_max, a
// HELLO without resume whose resume fields are not zero, a SUBSCRIBE without FROM_SEQ
// whose from_seq is not 0, a GAP event whose payload is not 8 bytes, a topic longer than
// a u16 topic_len can say, a frame longer than a u32 length can say.
std::size_t encode_frame(const frame& f, std::span<std::byte> out) noexcept;

}  // namespace sluice::proto
