#include "tools/load/client_ring.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "net/uring.hpp"

namespace sluice::load {

std::string client_ring::open(std::uint32_t buffer_count, std::uint32_t buffer_size) {
  SLUICE_ASSERT(!ring_open_);
  if (const uring_setup_result setup = setup_uring(ring_, 256); setup.error != 0) {
    return std::string("io_uring: ") + std::strerror(-setup.error);
  }
  ring_open_ = true;
  if (const int error = buffers_.setup(ring_, buffer_count, buffer_size); error != 0) {
    return std::string("io_uring buffer ring: ") + std::strerror(-error);
  }
  return {};
}

client_ring::~client_ring() {
  // Ends the receives and sends still in flight; buffers_ frees its memory after this.
  if (ring_open_) io_uring_queue_exit(&ring_);
}

void client_ring::watch(std::uint32_t index, int fd) {
  SLUICE_ASSERT(ring_open_ && fd >= 0);
  if (fds_.size() <= index) {
    fds_.resize(std::size_t{index} + 1, -1);
    out_.resize(std::size_t{index} + 1);
  }
  fds_[index] = fd;
  if (arrival_times_) {
    const int on = 1;
    // Without it the receive goes on, with no arrival times (arrival_realtime_ns() 0).
    (void)::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  }
  arm_recv(index);
}

io_uring_sqe* client_ring::next_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // The submission queue is full: submit what is queued to make room.
    (void)io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  SLUICE_ASSERT(sqe != nullptr);
  return sqe;
}

void client_ring::arm_recv(std::uint32_t index) {
  io_uring_sqe* sqe = next_sqe();
  if (arrival_times_) {
    // The kernel reads the shape (no name, room for one timestamp) when it starts.
    io_uring_prep_recvmsg_multishot(sqe, fds_[index], &recvmsg_shape_, 0);
  } else {
    io_uring_prep_recv_multishot(sqe, fds_[index], nullptr, 0, 0);
  }
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffer_ring::group_id;
  io_uring_sqe_set_data64(sqe, index);
}

std::string_view client_ring::unwrap_recvmsg(std::span<const std::byte> bytes) noexcept {
  void* const start = const_cast<std::byte*>(bytes.data());
  const int length = static_cast<int>(bytes.size());
  io_uring_recvmsg_out* const out = io_uring_recvmsg_validate(start, length, &recvmsg_shape_);
  SLUICE_ASSERT(out != nullptr);  // the kernel writes the header before any payload
  if (out == nullptr) return {};
  for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(out, &recvmsg_shape_); c != nullptr;
       c = io_uring_recvmsg_cmsg_nexthdr(out, &recvmsg_shape_, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_TIMESTAMPNS) continue;
    timespec at{};
    std::memcpy(&at, CMSG_DATA(c), sizeof at);
    arrival_realtime_ns_ =
        static_cast<std::uint64_t>(at.tv_sec) * 1'000'000'000U + static_cast<std::uint64_t>(at.tv_nsec);
  }
  const auto* payload = static_cast<const char*>(io_uring_recvmsg_payload(out, &recvmsg_shape_));
  return {payload, io_uring_recvmsg_payload_length(out, length, &recvmsg_shape_)};
}

void client_ring::watch_doorbell(doorbell& bell) {
  SLUICE_ASSERT(ring_open_ && bell.fd() >= 0 && doorbell_ == nullptr);
  doorbell_ = &bell;
  arm_doorbell();
}

void client_ring::arm_doorbell() {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_read(sqe, doorbell_->fd(), doorbell_->landing(), sizeof(std::uint64_t), 0);
  io_uring_sqe_set_data64(sqe, doorbell_tag);
}

void client_ring::on_doorbell(int result) {
  doorbell_rang_ = true;  // also on a failure: the owner looks, and learns of it
  if (result == static_cast<int>(sizeof(std::uint64_t))) return arm_doorbell();
  doorbell_error_ = result < 0 ? result : -EIO;
}

bool client_ring::send(std::uint32_t index, std::string_view bytes) {
  SLUICE_ASSERT(index < fds_.size() && fds_[index] >= 0);
  if (bytes.empty()) return true;
  outgoing& o = out_[index];
  if (queued_bytes(index) + bytes.size() > send_queue_max) return false;
  o.queued.append(bytes);
  mark_dirty(index);
  return true;
}

void client_ring::mark_dirty(std::uint32_t index) {
  outgoing& o = out_[index];
  if (o.in_flight || o.dirty) return;  // a send in flight marks it when it completes
  o.dirty = true;
  dirty_.push_back(index);
}

void client_ring::flush_sends() {
  for (const std::uint32_t index : dirty_) {
    outgoing& o = out_[index];
    o.dirty = false;
    if (!o.in_flight && !o.queued.empty()) submit_send(index);
  }
  dirty_.clear();
}

void client_ring::submit_send(std::uint32_t index) {
  outgoing& o = out_[index];
  SLUICE_ASSERT(!o.in_flight);
  if (o.sent == o.sending.size()) {
    // Everything in flight went out: what waited goes next.
    o.sending.swap(o.queued);
    o.queued.clear();
    o.sent = 0;
  }
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_send(sqe, fds_[index], o.sending.data() + o.sent, o.sending.size() - o.sent, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, send_tag | index);
  o.in_flight = true;
}

bool client_ring::on_sent(std::uint32_t index, int result) {
  outgoing& o = out_[index];
  o.in_flight = false;
  if (result < 0) {
    o.queued.clear();
    o.sending.clear();
    o.sent = 0;
    return false;
  }
  o.sent += static_cast<std::size_t>(result);
  // A short send is finished before anything queued later.
  if (o.sent < o.sending.size()) {
    submit_send(index);
  } else if (!o.queued.empty()) {
    mark_dirty(index);
  }
  return true;
}

void client_ring::wait(std::chrono::nanoseconds timeout) {
  flush_sends();
  io_uring_cqe* cqe = nullptr;
  if (drain_max_ > 0) {
    __kernel_timespec no_wait{};
    (void)io_uring_submit_and_wait_timeout(&ring_, &cqe, drain_max_, &no_wait, nullptr);
    if (io_uring_cq_ready(&ring_) > 0) return;
  }
  const auto ns = std::max<std::int64_t>(0, timeout.count());
  __kernel_timespec ts{.tv_sec = ns / 1'000'000'000, .tv_nsec = ns % 1'000'000'000};
  // -ETIME (nothing within the timeout) and -EINTR leave the queue as it is.
  (void)io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
}

}  // namespace sluice::load
