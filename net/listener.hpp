// Listening sockets: one per reactor on the same address and port (SO_REUSEPORT), so
// the kernel spreads incoming connections over the reactors.
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

// A non-blocking listening socket with SO_REUSEPORT on `address`:`port`.
[[nodiscard]] listen_result open_listener(const std::string& address, std::uint16_t port, int backlog);

// The peer of a connected socket as a source address (IPv4 mapped into IPv6).
[[nodiscard]] bool peer_address(int fd, source_address& out);

}  // namespace sluice
