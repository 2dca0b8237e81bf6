// Decodes v1 frames (docs/protocol.md) from a byte stream, one frame per call.
//
// Stateless and allocation-free, any thread: the caller owns the buffer, keeps the
// bytes not yet consumed and calls again with more appended. Decoded frames are views
// into that buffer. A frame is never longer than the max_frame the caller passes, and
// a refused frame is refused from its header alone, so a caller that buffers only what
// need_more asks for never holds more than max_frame bytes of one frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "engine/protocol/frame.hpp"

namespace sluice::proto {

enum class decode_status : std::uint8_t { complete, need_more, error };

struct decode_result {
  decode_status status = decode_status::need_more;
  // complete: bytes the frame occupies. need_more: total input bytes needed before
  // calling again (4 for the length, then 8 for the header, then the whole frame).
  std::size_t size = 0;
  frame value;                          // complete only; string_views point into the input
  error_code error = error_code::none;  // error only
  std::string_view reason;              // error only: short static text fit for an ERROR frame (never echoes input)
};

// Decodes the first frame of `input`. Errors are reported as early as the bytes allow:
// length (bad_length / frame_too_large) as soon as 4 bytes are there, version at 5,
// type at 6 (unknown_type), flags at 8, so a bad frame is never buffered whole. Field
// checks (truncated, bad_fields) once the whole frame is present. Only structure is
// checked: a topic frame's semantics (topic name, request_id != 0, payload size) are the
// server's, answered in an ACK; not_implemented is the server's too. After an error the
// stream cannot be resynchronized: the caller sends ERROR and closes.
[[nodiscard]] decode_result decode_frame(std::span<const std::byte> input, std::uint32_t max_frame) noexcept;

}  // namespace sluice::proto
