#include "net/listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice {
namespace {

listen_result fail(int fd, const char* what) {
  const int error = errno;
  if (fd >= 0) ::close(fd);
  return {-1, 0, std::string(what) + ": " + std::strerror(error)};
}

// Fills `storage` for `address`:`port`; false when the address is not an IP literal.
bool socket_address(const std::string& address, std::uint16_t port, sockaddr_storage& storage, socklen_t& length,
                    int& family) {
  storage = {};
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&storage); ::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    family = AF_INET;
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
      ::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

}  // namespace

std::string port_in_use(const std::string& address, std::uint16_t port) {
  if (port == 0) return {};
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (!socket_address(address, port, storage, length, family)) return "listen address is not an IP literal: " + address;
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(fd, "socket").error;
  // SO_REUSEADDR alone: connections of an earlier run in TIME_WAIT do not count, a
  // listening socket does (shared or not).
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return fail(fd, "SO_REUSEADDR").error;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    if (errno == EADDRINUSE) {
      ::close(fd);
      return "address in use (another server listens there)";
    }
    return fail(fd, "bind").error;
  }
  ::close(fd);
  return {};
}

listen_result open_listener(const std::string& address, std::uint16_t port, int backlog) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (!socket_address(address, port, storage, length, family)) {
    return {-1, 0, "listen address is not an IP literal: " + address};
  }
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(fd, "socket");
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return fail(fd, "SO_REUSEADDR");
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) return fail(fd, "SO_REUSEPORT");
  // Accepted sockets inherit it, which saves a system call per connection: frames are
  // small and latency matters.
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) return fail(fd, "TCP_NODELAY");
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) return fail(fd, "bind");
  if (::listen(fd, backlog) != 0) return fail(fd, "listen");
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) return fail(fd, "getsockname");
  const std::uint16_t bound_port = family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port)
                                                     : ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return {fd, bound_port, {}};
}

bool peer_address(int fd, source_address& out) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return false;
  if (peer.ss_family == AF_INET) {
    out = source_address::from_ipv4(ntohl(reinterpret_cast<sockaddr_in*>(&peer)->sin_addr.s_addr));
    return true;
  }
  if (peer.ss_family == AF_INET6) {
    std::memcpy(out.bytes.data(), &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, 16);
    return true;
  }
  return false;
}

bool has_nodelay(int fd) {
  int value = 0;
  socklen_t length = sizeof value;
  return ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &length) == 0 && value != 0;
}

}  // namespace sluice
