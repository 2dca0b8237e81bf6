// Where a run's connections go, and the loopback source addresses they come from.
//
// The kernel gives each connection from one source address to one server port a local
// port of its own: about 28,000 with the kernel's default range (32768-60999). connect() fills the
// ports of one parity first (the other half is left to bind()) and, once those are
// taken, checks every one of them again on each connect before it tries the other half.
// So past about half the range, each connect costs a search that grows with the
// connections already open: against sluiced on loopback, a 15,000-connection storm from
// one source ran at 13k connections/s where 5,000 ran at 25k/s, and the harness spent
// 43% of its time in that search. Spreading the connections over several loopback
// source addresses (127.0.0.1 and up, all of them on `lo`) gives each its own ports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sluice::load {

inline constexpr int max_sources = 1024;

struct route {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7400;
  // 1: the kernel picks the source address. More: connection i binds 127.0.0.1 + (i mod
  // sources) before it connects, and its port is picked at connect() (so ports are
  // shared between sources, not taken at bind()).
  int sources = 1;
};

// Empty when connections can take this route; else why not: sources outside
// 1..max_sources, more than one source to a server that is not on loopback, or a host
// that is not an IPv4 address.
[[nodiscard]] std::string route_error(const route& to);

// Whether `host` is an IPv4 address on loopback (127.0.0.0/8).
[[nodiscard]] bool loopback_host(const std::string& host);

// The source address (host byte order) that connection `i` binds, or 0 when the kernel
// picks it.
[[nodiscard]] std::uint32_t source_address(const route& to, std::size_t i);

struct port_range {
  int low = 0;
  int high = 0;  // inclusive
  // The ports connect() fills before each further connect starts to search (at least 1:
  // local_port_range() returns no range of a single port).
  [[nodiscard]] int filled_before_search() const { return (high - low + 1) / 2; }
};

// The kernel's range of local ports for connect() (net.ipv4.ip_local_port_range), or
// nothing when it cannot be read.
[[nodiscard]] std::optional<port_range> local_port_range();

}  // namespace sluice::load
