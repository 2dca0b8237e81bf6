// A TCP socket bound to 127.0.0.1 on a port the kernel picks, for tests that listen on,
// connect to, or hold a port.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

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

}  // namespace sluice::test
