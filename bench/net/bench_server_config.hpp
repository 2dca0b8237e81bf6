// The in-process server the network benchmarks drive: loopback, any port, and tables
// and admission limits opened wide so the benchmark measures serving, not refusing.
#pragma once

#include <cstdint>

#include "engine/config/server_config.hpp"

namespace sluice {

inline server_config bench_server_config(std::uint32_t threads) {
  server_config config;
  config.port = 0;
  config.threads = threads;
  config.max_connections = 20'000;
  config.sessions.sessions_max = 20'000;
  config.sources.connections_per_source_max = 20'000;
  config.sources.connect_burst = 20'000;
  return config;
}

}  // namespace sluice
