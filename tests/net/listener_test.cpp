// What the listener gives every accepted socket: TCP_NODELAY, inherited from the
// listening socket so that the server spends no system call per connection on it.
#include "net/listener.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sluice {
namespace {

// Connects to a listener on `address` and returns the socket it accepts, or -1.
int accept_one(const std::string& address, int family) {
  const listen_result l = open_listener(address, 0, 16);
  if (l.fd < 0) return -1;
  const int client = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(l.port);
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof *v4;
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(l.port);
    v6->sin6_addr = in6addr_loopback;
    length = sizeof *v6;
  }
  int accepted = -1;
  pollfd ready{l.fd, POLLIN, 0};  // the listener is non-blocking
  if (client >= 0 && ::connect(client, reinterpret_cast<sockaddr*>(&storage), length) == 0 &&
      ::poll(&ready, 1, 5000) == 1) {
    accepted = ::accept4(l.fd, nullptr, nullptr, SOCK_CLOEXEC);
  }
  EXPECT_FALSE(has_nodelay(client));  // the check itself can say no
  if (client >= 0) ::close(client);
  ::close(l.fd);
  return accepted;
}

TEST(Listener, AcceptedSocketsHaveNoDelay) {
  const int accepted = accept_one("127.0.0.1", AF_INET);
  ASSERT_GE(accepted, 0) << std::strerror(errno);
  EXPECT_TRUE(has_nodelay(accepted));
  ::close(accepted);
}

TEST(Listener, AcceptedIpv6SocketsHaveNoDelay) {
  const listen_result probe = open_listener("::1", 0, 16);
  if (probe.fd < 0) GTEST_SKIP() << "no IPv6 loopback here";
  ::close(probe.fd);
  const int accepted = accept_one("::1", AF_INET6);
  ASSERT_GE(accepted, 0) << std::strerror(errno);
  EXPECT_TRUE(has_nodelay(accepted));
  ::close(accepted);
}

}  // namespace
}  // namespace sluice
