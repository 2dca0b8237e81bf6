// Sockets for the harness's tests: a TCP socket bound to 127.0.0.1 on a port the kernel
// picks (to listen on, connect to, or hold), and a connected Unix socket pair.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <string>

namespace sluice::test {

struct loopback_socket {
  int fd = -1;
  sockaddr_in address{};
  [[nodiscard]] std::string port() const { return std::to_string(ntohs(address.sin_port)); }
  [[nodiscard]] const sockaddr* name() const { return reinterpret_cast<const sockaddr*>(&address); }
};

// `flags` are added to SOCK_STREAM | SOCK_CLOEXEC (SOCK_NONBLOCK, say). The caller closes it.
inline loopback_socket bind_loopback(int flags = 0) {
  loopback_socket s;
  s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  EXPECT_GE(s.fd, 0);
  s.address.sin_family = AF_INET;
  s.address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof s.address;
  EXPECT_EQ(::bind(s.fd, s.name(), sizeof s.address), 0);
  EXPECT_EQ(::getsockname(s.fd, reinterpret_cast<sockaddr*>(&s.address), &length), 0);
  return s;
}

// Both ends close with it.
struct socket_pair {
  std::array<int, 2> fd{-1, -1};
  explicit socket_pair(int type = SOCK_STREAM) {
    EXPECT_EQ(::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fd.data()), 0);
  }
  ~socket_pair() {
    for (const int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  socket_pair(const socket_pair&) = delete;
  socket_pair& operator=(const socket_pair&) = delete;
  // Writes all of `bytes` to fd[1].
  void send(const std::string& bytes) const {
    ASSERT_EQ(::send(fd[1], bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
};

}  // namespace sluice::test
