// A provided-buffer ring: a fixed set of equal receive buffers the kernel picks from
// for multishot receives, so a read never allocates. A buffer the kernel filled is
// handed back with give_back() once its bytes have been consumed or copied.
//
// When every buffer is in use the kernel ends the multishot receive with -ENOBUFS;
// the reactor counts it and re-arms after giving buffers back.
//
// Thread: the reactor that registered it. Memory: count * size bytes plus the ring,
// fixed at set-up.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace sluice {

class buffer_ring {
 public:
  static constexpr std::uint16_t group_id = 0;

  buffer_ring() = default;
  buffer_ring(const buffer_ring&) = delete;
  buffer_ring& operator=(const buffer_ring&) = delete;
  ~buffer_ring();

  // Registers `count` (a power of two) buffers of `size` bytes with `ring`. Returns 0
  // or a negative errno.
  [[nodiscard]] int setup(io_uring& ring, std::uint32_t count, std::uint32_t size);

  [[nodiscard]] std::span<const std::byte> view(std::uint16_t id, std::size_t length) const noexcept {
    return {storage_.get() + std::size_t{id} * size_, length};
  }
  void give_back(std::uint16_t id) noexcept;

 private:
  io_uring* ring_ = nullptr;
  io_uring_buf_ring* entries_ = nullptr;
  std::size_t entries_bytes_ = 0;
  std::unique_ptr<std::byte[]> storage_;
  std::uint32_t count_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace sluice
