// Receives on a fixed set of sockets through one io_uring: a multishot receive per
// socket into provided buffers, so the harness pays no system call per read. With
// recv() on each ready socket the harness made one call per socket per round of
// deliveries, and on a virtualised host each call's entry and exit cost as much as the
// read (docs/load.md, "What the harness costs").
//
// Bounds: `buffer_count` buffers of `buffer_size` bytes, fixed at open(). When all are
// in use the kernel ends a socket's receive with -ENOBUFS; the data stays in the
// socket, the receive is re-armed after the buffers in hand are given back, and
// exhausted_total() counts it.
//
// Thread: open(), watch() and poll() on the thread that reads (the ring is created for
// a single issuer).
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/assert.hpp"
#include "net/buffer_ring.hpp"

namespace sluice::load {

class recv_ring {
 public:
  recv_ring() = default;
  recv_ring(const recv_ring&) = delete;
  recv_ring& operator=(const recv_ring&) = delete;
  ~recv_ring();

  // Returns an empty string, or what failed.
  [[nodiscard]] std::string open(std::uint32_t buffer_count, std::uint32_t buffer_size);

  // Starts receiving on `fd`, reported as `index` (below 2^32).
  void watch(std::uint32_t index, int fd);

  // Waits at most `timeout` for data, then hands over everything received:
  // on_data(index, bytes) per chunk (the bytes are valid only during the call), and
  // on_end(index, result) once for a socket whose peer closed (0) or that failed (a
  // negative errno); it is not watched any more.
  template <class on_data_fn, class on_end_fn>
  void poll(std::chrono::nanoseconds timeout, on_data_fn&& on_data, on_end_fn&& on_end) {
    wait(timeout);
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const auto index = static_cast<std::uint32_t>(cqe->user_data);
      if (cqe->res > 0) {
        SLUICE_ASSERT(cqe->flags & IORING_CQE_F_BUFFER);
        const auto id = static_cast<std::uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
        const std::span<const std::byte> bytes = buffers_.view(id, static_cast<std::size_t>(cqe->res));
        on_data(index, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        buffers_.give_back(id);
      }
      if (cqe->flags & IORING_CQE_F_MORE) continue;
      // The multishot receive ended: for want of buffers (or after data, which the
      // kernel may do at any time) it is armed again; at EOF or on an error it stays off.
      if (cqe->res > 0 || cqe->res == -ENOBUFS) {
        if (cqe->res == -ENOBUFS) ++exhausted_total_;
        rearm_.push_back(index);
      } else {
        on_end(index, cqe->res);
      }
    }
    io_uring_cq_advance(&ring_, seen);
    for (const std::uint32_t index : rearm_) arm(index);
    rearm_.clear();
  }

  [[nodiscard]] std::uint64_t exhausted_total() const noexcept { return exhausted_total_; }

 private:
  void arm(std::uint32_t index);
  void wait(std::chrono::nanoseconds timeout);

  io_uring ring_{};
  bool ring_open_ = false;
  buffer_ring buffers_;
  std::vector<int> fds_;  // by index; -1 for none
  std::vector<std::uint32_t> rearm_;
  std::uint64_t exhausted_total_ = 0;
};

}  // namespace sluice::load
