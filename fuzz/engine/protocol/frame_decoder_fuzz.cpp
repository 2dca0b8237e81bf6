// Fuzzes the frame decoder the way a connection drives it: the stream arrives in chunks
// and is buffered until a frame is complete, and the first error ends the connection.
//
// Input: byte 0 says how many chunk-size bytes follow (0..7; none: the stream arrives
// whole), each chunk-size byte b means b + 1 bytes, used in turn; the rest is the
// stream. Checked for a small and the default max_frame:
// - what stays buffered is less than max_frame: need_more never asks for more;
// - chunking changes nothing: the frames and the final error match a one-shot decode;
// - each frame re-encodes to exactly its bytes (the encoding is canonical) and those
//   bytes decode to an equal frame;
// - topic frames keep their structural rules: views lie inside the frame, a SUBSCRIBE
//   without FROM_SEQ has from_seq 0, a GAP event carries exactly last_dropped;
// - only malformed-frame codes (bad_length..bad_fields) are reported: not_implemented
//   and the topic refusals are the server's;
// - error reasons are static text, never a view into the input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <vector>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"

namespace {

using namespace sluice::proto;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "frame_decoder: %s\n", what);
  __builtin_trap();
}

bool points_into(std::string_view text, std::span<const std::byte> input) {
  const auto* at = reinterpret_cast<const std::byte*>(text.data());
  return !text.empty() && at < input.data() + input.size() && at + text.size() > input.data();
}

void check_canonical(std::span<const std::byte> bytes, const frame& value, std::uint32_t max_frame) {
  if (encoded_size(value) != bytes.size()) fail("encoded size differs from the decoded frame's size");
  std::vector<std::byte> encoded(bytes.size());
  if (encode_frame(value, encoded) != bytes.size()) fail("encode_frame wrote a different size");
  if (std::memcmp(encoded.data(), bytes.data(), bytes.size()) != 0) fail("re-encoding changed the bytes");
  const decode_result again = decode_frame(encoded, max_frame);
  if (again.status != decode_status::complete || again.size != bytes.size()) fail("re-encoded frame did not decode");
  if (!(again.value == value)) fail("re-encoded frame decoded to a different value");
}

bool inside(std::string_view text, std::span<const std::byte> bytes) {
  const auto* at = reinterpret_cast<const std::byte*>(text.data());
  return text.empty() || (at >= bytes.data() && at + text.size() <= bytes.data() + bytes.size());
}

void check_topic_frame(std::span<const std::byte> bytes, const frame& value) {
  if (const auto* s = std::get_if<subscribe_frame>(&value)) {
    if (!inside(s->topic, bytes)) fail("SUBSCRIBE topic outside the frame");
    if (!s->has_from_seq && s->from_seq != 0) fail("SUBSCRIBE from_seq without FROM_SEQ");
    (void)check_topic(s->topic);
  } else if (const auto* u = std::get_if<unsubscribe_frame>(&value)) {
    if (!inside(u->topic, bytes)) fail("UNSUBSCRIBE topic outside the frame");
  } else if (const auto* p = std::get_if<publish_frame>(&value)) {
    if (!inside(p->topic, bytes) || !inside(p->payload, bytes)) fail("PUBLISH topic or payload outside the frame");
  } else if (const auto* e = std::get_if<event_frame>(&value)) {
    if (!inside(e->topic, bytes) || !inside(e->payload, bytes)) fail("EVENT topic or payload outside the frame");
    if (e->gap && e->payload.size() != gap_payload_size) fail("GAP event without an 8-byte payload");
    if (e->gap) (void)gap_last_dropped(*e);
  }
}

// What a connection saw: the sizes of the frames it decoded, then maybe an error.
struct outcome {
  std::vector<std::size_t> frame_sizes;
  error_code error = error_code::none;

  friend bool operator==(const outcome&, const outcome&) = default;
};

// A connection's input buffer: bytes kept until a frame is complete, all dropped on error.
class connection_reader {
 public:
  explicit connection_reader(std::uint32_t max_frame) : max_frame_(max_frame) {}

  void feed(std::span<const std::byte> chunk) {
    if (closed_) return;
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
    for (;;) {
      const std::span<const std::byte> unread = std::span<const std::byte>(buffer_).subspan(start_);
      const decode_result r = decode_frame(unread, max_frame_);
      if (r.status == decode_status::error) {
        const auto code = static_cast<std::uint16_t>(r.error);
        if (code < 1 || code > 7) fail("decoder reported a code outside bad_length..bad_fields");
        if (r.reason.empty() || points_into(r.reason, unread)) fail("error reason is empty or echoes input");
        seen_.error = r.error;
        closed_ = true;
        buffer_.clear();  // the server sends ERROR and closes: nothing more is read
        return;
      }
      if (r.status == decode_status::need_more) {
        if (r.size <= unread.size()) fail("need_more asked for no more than it has");
        if (r.size > max_frame_) fail("need_more asked for more than max_frame");
        break;
      }
      if (r.size < header_size || r.size > unread.size() || r.size > max_frame_) fail("complete frame has a bad size");
      check_canonical(unread.first(r.size), r.value, max_frame_);
      check_topic_frame(unread.first(r.size), r.value);
      seen_.frame_sizes.push_back(r.size);
      start_ += r.size;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }

  [[nodiscard]] const outcome& seen() const { return seen_; }

 private:
  std::uint32_t max_frame_;
  std::vector<std::byte> buffer_;
  std::size_t start_ = 0;
  bool closed_ = false;
  outcome seen_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk_count = data[0] % 8;
  if (size < 1 + chunk_count) return 0;
  const std::span<const std::uint8_t> chunk_sizes(data + 1, chunk_count);
  const std::span<const std::byte> stream(reinterpret_cast<const std::byte*>(data) + 1 + chunk_count,
                                          size - 1 - chunk_count);

  for (const std::uint32_t max_frame : {std::uint32_t{4096}, max_frame_default}) {
    connection_reader chunked(max_frame);
    std::size_t fed = 0;
    for (std::size_t i = 0; fed < stream.size(); ++i) {
      const std::size_t chunk = chunk_count == 0 ? stream.size() : std::size_t{chunk_sizes[i % chunk_count]} + 1;
      const std::size_t n = std::min(chunk, stream.size() - fed);
      chunked.feed(stream.subspan(fed, n));
      fed += n;
    }
    connection_reader whole(max_frame);
    whole.feed(stream);
    if (!(chunked.seen() == whole.seen())) fail("chunked and one-shot decoding disagree");
  }
  return 0;
}
