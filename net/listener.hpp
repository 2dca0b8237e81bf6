// Listening sockets: one per reactor on the same address and port (SO_REUSEPORT), so
// the kernel spreads incoming connections over the reactors.
//
// SO_REUSEPORT would also let a second server of the same user join the group and take
// a share of the connections (clients of one topic split over two servers, each seeing
// half). port_in_use() checks first, with a bind that does not share.
#pragma once

#include <cstdint>
#include <string>

#include "engine/source_limiter.hpp"

struct sockaddr_storage;

namespace sluice {

struct listen_result {
  int fd = -1;
  std::uint16_t port = 0;  // the bound port (the kernel's choice when 0 was asked)
  std::string error;       // set when fd < 0
};

// A non-blocking listening socket with SO_REUSEPORT on `address`:`port`. The sockets it
// accepts have TCP_NODELAY.
[[nodiscard]] listen_result open_listener(const std::string& address, std::uint16_t port, int backlog);

// Why `address`:`port` cannot be listened on by a socket that does not share it (in use
// by another listener, or not bindable at all), or empty when it can. Port 0 is always
// free.
[[nodiscard]] std::string port_in_use(const std::string& address, std::uint16_t port);

// Whether a socket has TCP_NODELAY (a debug check on accepted sockets, and tests).
[[nodiscard]] bool has_nodelay(int fd);

// The peer of a connected socket as a source address (IPv4 mapped into IPv6).
[[nodiscard]] bool peer_address(int fd, source_address& out);

}  // namespace sluice
