// Bytes owed to one non-blocking socket, for the workloads that drive sockets through
// epoll: what the socket takes is sent at once, the rest waits here until epoll reports
// room, so a full socket never stalls the thread's other connections.
//
// Bound: max_bytes waiting; more is refused (an error for the workload, not a wait).
// Thread: owned by the thread that drives the socket.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::load {

class pending_output {
 public:
  static constexpr std::size_t max_bytes = std::size_t{64} << 20;
  using clock_type = std::chrono::steady_clock;

  // Queues `bytes` behind what waits and sends as much as `fd` takes. Returns an error,
  // or an empty string; over the bound nothing of `bytes` is queued.
  [[nodiscard]] std::string send(int fd, std::string_view bytes) {
    if (waiting() + bytes.size() > max_bytes) {
      return "more than " + std::to_string(max_bytes >> 20) + " MiB waiting to be sent on one connection";
    }
    if (waiting() == 0) since_ = clock_type::now();
    bytes_.append(bytes);
    return flush(fd);
  }

  // Sends what waits, as far as `fd` takes it. Returns an error, or an empty string.
  [[nodiscard]] std::string flush(int fd) {
    while (sent_ < bytes_.size()) {
      const ssize_t n = ::send(fd, bytes_.data() + sent_, bytes_.size() - sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent_ += static_cast<std::size_t>(n);
        since_ = clock_type::now();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // What went out is dropped once it is half the string, so the string stays
        // within twice the bound however long the socket drains slowly.
        if (sent_ >= bytes_.size() / 2) {
          bytes_.erase(0, sent_);
          sent_ = 0;
        }
        return {};
      }
      return std::string("send: ") + std::strerror(n < 0 ? errno : EIO);
    }
    bytes_.clear();
    sent_ = 0;
    return {};
  }

  [[nodiscard]] std::size_t waiting() const noexcept { return bytes_.size() - sent_; }
  // While bytes wait: since when the socket took nothing (or since they were queued).
  [[nodiscard]] clock_type::time_point stalled_since() const noexcept { return since_; }
  // The connection is gone: what waited for it is dropped.
  void clear() noexcept {
    bytes_.clear();
    sent_ = 0;
  }

 private:
  std::string bytes_;
  std::size_t sent_ = 0;  // bytes_ before this went out
  clock_type::time_point since_{};
};

}  // namespace sluice::load
