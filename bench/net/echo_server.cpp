#include "bench/net/echo_server.hpp"

#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "net/buffer_ring.hpp"
#include "net/listener.hpp"
#include "net/uring.hpp"

namespace sluice::bench {
namespace {

constexpr std::uint32_t buffer_count = 1024;
constexpr std::uint32_t buffer_size = 16 * 1024;

// user_data: kind in the top byte, fd below; the buffer id rides in the low bits of
// a send's data so it can be given back when the send completes.
enum : std::uint64_t { accept_op = 1, recv_op = 2, send_op = 3, wake_op = 4 };
std::uint64_t tag(std::uint64_t kind, std::uint32_t fd, std::uint32_t extra = 0) {
  return (kind << 56) | (std::uint64_t{fd} << 24) | extra;
}

}  // namespace

std::string echo_server::start() {
  const listen_result l = open_listener("127.0.0.1", 0, 4096);
  if (l.fd < 0) return l.error;
  listen_fd_ = l.fd;
  port_ = l.port;
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
  return {};
}

void echo_server::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
}

void echo_server::run() {
  io_uring ring{};
  if (setup_uring(ring, 1024).error != 0) return;
  {
    buffer_ring buffers;
    if (buffers.setup(ring, buffer_count, buffer_size) != 0) return;
    std::uint64_t wake_value = 0;
    auto sqe = [&] {
      io_uring_sqe* s = io_uring_get_sqe(&ring);
      while (s == nullptr) {
        io_uring_submit(&ring);
        s = io_uring_get_sqe(&ring);
      }
      return s;
    };
    auto arm_recv = [&](int fd) {
      io_uring_sqe* s = sqe();
      io_uring_prep_recv_multishot(s, fd, nullptr, 0, 0);
      s->flags |= IOSQE_BUFFER_SELECT;
      s->buf_group = buffer_ring::group_id;
      io_uring_sqe_set_data64(s, tag(recv_op, static_cast<std::uint32_t>(fd)));
    };
    io_uring_sqe* s = sqe();
    io_uring_prep_multishot_accept(s, listen_fd_, nullptr, nullptr, 0);
    io_uring_sqe_set_data64(s, tag(accept_op, 0));
    s = sqe();
    io_uring_prep_read(s, wake_fd_, &wake_value, sizeof wake_value, 0);
    io_uring_sqe_set_data64(s, tag(wake_op, 0));
    std::vector<int> open_fds;
    while (!stopping_.load(std::memory_order_relaxed)) {
      io_uring_cqe* first = nullptr;
      io_uring_submit_and_wait_timeout(&ring, &first, 1, nullptr, nullptr);
      unsigned head = 0;
      unsigned seen = 0;
      io_uring_cqe* cqe = nullptr;
      io_uring_for_each_cqe(&ring, head, cqe) {
        ++seen;
        const std::uint64_t kind = cqe->user_data >> 56;
        const auto fd = static_cast<int>((cqe->user_data >> 24) & 0xffffffff);
        if (kind == accept_op && cqe->res >= 0) {  // TCP_NODELAY comes from the listener, as in sluiced
          open_fds.push_back(cqe->res);
          arm_recv(cqe->res);
        } else if (kind == recv_op) {
          if (cqe->res > 0) {
            const auto id = static_cast<std::uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
            const auto bytes = buffers.view(id, static_cast<std::size_t>(cqe->res));
            io_uring_sqe* send = sqe();
            io_uring_prep_send(send, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            io_uring_sqe_set_data64(send, tag(send_op, static_cast<std::uint32_t>(fd), id));
            if ((cqe->flags & IORING_CQE_F_MORE) == 0) arm_recv(fd);
          } else if (cqe->res == -ENOBUFS) {
            arm_recv(fd);
          }
        } else if (kind == send_op) {
          // A short send would lose bytes; the benchmark's frames are small enough that
          // loopback never splits them, and the client would stall visibly if it did.
          buffers.give_back(static_cast<std::uint16_t>(cqe->user_data & 0xffffff));
        }
      }
      io_uring_cq_advance(&ring, seen);
    }
    for (const int fd : open_fds) ::close(fd);
    io_uring_queue_exit(&ring);
  }
}

}  // namespace sluice::bench
