// The ceiling for the ping benchmark: a raw io_uring echo server built the same way as
// a sluice reactor (multishot accept, multishot receive into provided buffers, one send
// per receive) but with no protocol at all: bytes in are sent straight back.
// Thread: start() spawns one thread; stop() joins it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace sluice::bench {

class echo_server {
 public:
  echo_server() = default;
  ~echo_server() { stop(); }
  echo_server(const echo_server&) = delete;
  echo_server& operator=(const echo_server&) = delete;

  // Listens on 127.0.0.1 and an ephemeral port; returns an error message or "".
  [[nodiscard]] std::string start();
  void stop();
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  void run();

  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sluice::bench
