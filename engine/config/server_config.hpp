// Everything sluiced can be configured with, at its defaults. load_config fills it from
// a TOML file; the bounds and the reason for each are in docs/config.md, and the
// defaults are repeated, documented, in engine/config/default.toml (a test keeps the
// two equal).
//
// hash_seed (in both engine configs) and sessions.wheel.origin_ns are not configurable:
// sluiced fills them at startup from the OS CSPRNG and the clock.
#pragma once

#include <cstdint>
#include <string>

#include "engine/session_shard.hpp"
#include "engine/source_limiter.hpp"
#include "engine/topics/topics_config.hpp"

namespace sluice {

struct server_config {
  // [server]
  std::string listen_address = "127.0.0.1";    // an IPv4 or IPv6 literal
  std::uint16_t port = 7400;                   // 0: an ephemeral port (tests)
  std::uint32_t threads = 0;                   // reactors; 0: one per online CPU
  bool pin_threads = false;                    // pin reactor i to CPU i
  std::uint32_t listen_backlog = 4096;         // listen(2) queue of not yet accepted connections
  std::string data_dir = "./sluice-data";      // where state that survives a restart lives
  std::uint32_t max_connections = 100'000;     // over the whole server
  std::uint32_t max_frame = 1u << 20;          // bytes; the largest frame a client may send
  std::uint32_t output_queue_max = 4u << 20;   // bytes queued to one connection before it is cut
  std::uint32_t ring_entries = 1024;           // io_uring submission queue entries per reactor
  std::uint32_t recv_buffer_size = 32 * 1024;  // bytes per provided receive buffer
  std::uint32_t recv_buffer_count = 512;       // provided receive buffers per reactor
  std::uint32_t inbox_capacity = 65'536;       // cross-thread messages queued per reactor
  std::uint32_t expiry_work_max = 4096;        // timer work per reactor loop iteration

  // [sessions]: max_per_shard, when_full, the four timeouts, tick (-> wheel.tick_ns)
  session_shard_config sessions;

  // [admission]
  source_limiter_config sources;

  // [topics]
  topics_config topics;

  // Every field, including the runtime-filled seeds and wheel origin.
  friend bool operator==(const server_config& a, const server_config& b) noexcept;
};

// Field-by-field equality for the engine's config structs, which define none.
[[nodiscard]] bool same_timing_wheel_config(const timing_wheel_config& a, const timing_wheel_config& b) noexcept;
[[nodiscard]] bool same_session_shard_config(const session_shard_config& a, const session_shard_config& b) noexcept;
[[nodiscard]] bool same_source_limiter_config(const source_limiter_config& a, const source_limiter_config& b) noexcept;
[[nodiscard]] bool same_topics_config(const topics_config& a, const topics_config& b) noexcept;

}  // namespace sluice
