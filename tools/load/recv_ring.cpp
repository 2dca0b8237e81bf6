#include "tools/load/recv_ring.hpp"

#include <algorithm>
#include <cstring>

#include "engine/assert.hpp"
#include "net/uring.hpp"

namespace sluice::load {

std::string recv_ring::open(std::uint32_t buffer_count, std::uint32_t buffer_size) {
  SLUICE_ASSERT(!ring_open_);
  // Submissions are one receive per socket at a time; the completion queue is larger.
  if (const uring_setup_result setup = setup_uring(ring_, 256); setup.error != 0) {
    return std::string("io_uring: ") + std::strerror(-setup.error);
  }
  ring_open_ = true;
  if (const int error = buffers_.setup(ring_, buffer_count, buffer_size); error != 0) {
    return std::string("io_uring buffer ring: ") + std::strerror(-error);
  }
  return {};
}

recv_ring::~recv_ring() {
  // Ends the receives still armed; buffers_ frees its memory after this.
  if (ring_open_) io_uring_queue_exit(&ring_);
}

void recv_ring::watch(std::uint32_t index, int fd) {
  SLUICE_ASSERT(ring_open_ && fd >= 0);
  if (fds_.size() <= index) fds_.resize(std::size_t{index} + 1, -1);
  fds_[index] = fd;
  arm(index);
}

void recv_ring::arm(std::uint32_t index) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // The submission queue is full: submit what is queued to make room.
    (void)io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  SLUICE_ASSERT(sqe != nullptr);
  io_uring_prep_recv_multishot(sqe, fds_[index], nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffer_ring::group_id;
  io_uring_sqe_set_data64(sqe, index);
}

void recv_ring::wait(std::chrono::nanoseconds timeout) {
  const auto ns = std::max<std::int64_t>(0, timeout.count());
  __kernel_timespec ts{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
  io_uring_cqe* cqe = nullptr;
  // -ETIME (nothing within the timeout) and -EINTR leave the queue as it is.
  (void)io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
}

}  // namespace sluice::load
