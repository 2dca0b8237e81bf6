// Test helper: builds frames byte by byte from the tables in docs/protocol.md, so tests
// state the wire layout without going through the encoder under test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace sluice::proto::test {

using bytes = std::vector<std::byte>;

inline bytes bytes_of(std::initializer_list<int> values) {
  bytes out;
  for (const int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

inline std::span<const std::byte> prefix(const bytes& b, std::size_t n) {
  return std::span<const std::byte>(b).first(n);
}

class frame_bytes {
 public:
  explicit frame_bytes(std::uint8_t type, std::uint16_t flags = 0, std::uint8_t version = 1) {
    le(0, 4);  // length, patched by build()
    le(version, 1);
    le(type, 1);
    le(flags, 2);
  }

  frame_bytes& u16(std::uint16_t v) { return le(v, 2); }
  frame_bytes& u32(std::uint32_t v) { return le(v, 4); }
  frame_bytes& u64(std::uint64_t v) { return le(v, 8); }
  frame_bytes& id(std::uint64_t hi, std::uint64_t lo) { return u64(hi).u64(lo); }
  frame_bytes& text(std::string_view s) {
    for (const char c : s) out_.push_back(static_cast<std::byte>(c));
    return *this;
  }
  frame_bytes& zeros(std::size_t n) {
    out_.insert(out_.end(), n, std::byte{0});
    return *this;
  }

  // The frame with `length` set to its real size.
  [[nodiscard]] bytes build() const { return build_with_length(static_cast<std::uint32_t>(out_.size())); }
  // The frame with a `length` that may lie about its size.
  [[nodiscard]] bytes build_with_length(std::uint32_t length) const {
    bytes b = out_;
    for (int i = 0; i < 4; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::byte>(length >> (8 * i));
    return b;
  }

 private:
  frame_bytes& le(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<std::byte>(v >> (8 * i)));
    return *this;
  }

  bytes out_;
};

}  // namespace sluice::proto::test
