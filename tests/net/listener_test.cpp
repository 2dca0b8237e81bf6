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

namespace sluice {
namespace {

TEST(Listener, AcceptedSocketsHaveNoDelay) {
  const listen_result l = open_listener("127.0.0.1", 0, 16);
  ASSERT_GE(l.fd, 0) << l.error;
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(client, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(l.port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  pollfd ready{l.fd, POLLIN, 0};  // the listener is non-blocking
  ASSERT_EQ(::poll(&ready, 1, 5000), 1);
  const int accepted = ::accept4(l.fd, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(accepted, 0) << std::strerror(errno);
  EXPECT_TRUE(has_nodelay(accepted));
  EXPECT_FALSE(has_nodelay(client));  // the check itself can say no
  ::close(accepted);
  ::close(client);
  ::close(l.fd);
}

}  // namespace
}  // namespace sluice
