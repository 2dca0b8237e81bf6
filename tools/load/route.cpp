#include "tools/load/route.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fstream>

namespace sluice::load {

namespace {

constexpr std::uint32_t first_source = 0x7f000001;  // 127.0.0.1

bool on_loopback(std::uint32_t address) { return (address >> 24) == 127; }

}  // namespace

bool loopback_host(const std::string& host) {
  in_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1 && on_loopback(ntohl(address.s_addr));
}

std::string route_error(const route& to) {
  in_addr server{};
  if (::inet_pton(AF_INET, to.host.c_str(), &server) != 1) return "not an IPv4 address: " + to.host;
  if (to.sources < 1 || to.sources > max_sources) {
    return "--sources is between 1 and " + std::to_string(max_sources);
  }
  if (to.sources > 1 && !on_loopback(ntohl(server.s_addr))) {
    return "--sources spreads connections over the loopback addresses 127.0.0.1 and up, so it needs a server on "
           "loopback (--host 127.x.y.z)";
  }
  return {};
}

std::uint32_t source_address(const route& to, std::size_t i) {
  if (to.sources <= 1) return 0;
  return first_source + static_cast<std::uint32_t>(i % static_cast<std::size_t>(to.sources));
}

std::optional<port_range> local_port_range() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  port_range r;
  if (!(in >> r.low >> r.high) || r.low < 1 || r.high <= r.low) return std::nullopt;
  return r;
}

}  // namespace sluice::load
