// What one sluice-load run does: the target, the workload and its bounds, as parsed
// from the command line (sluice_load.cpp) and read by every workload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/load/protocols.hpp"
#include "tools/load/route.hpp"

namespace sluice::load {

// The slowest open loop: a message every 100 s keeps every due time far inside the
// clock's range.
inline constexpr double min_rate = 0.01;

struct run_options {
  target_kind target = target_kind::sluice;
  route to;  // the server, and the source addresses connections come from
  int threads = 1;
  // Publish/subscribe workloads.
  int subscribers = 10;
  int publishers = 1;
  int pairs = 0;  // > 0: pairs instead of fan-out
  std::size_t payload = 64;
  int window = 16;  // closed loop: messages in flight per publisher
  double rate = 0;  // > 0: open loop, messages per second per publisher (min_rate at least)
  // Latency ends when a delivery reached the subscriber's socket (the kernel's arrival
  // time), or, with false, when the harness read it.
  bool latency_to_arrival = true;
  double seconds = 3;
  int warmup_ms = 300;
  // Connect storm (> 0 selects it): connections, at most `in_flight` opening at once
  // (0: all at once), each started at a uniformly random time within `jitter_ms`.
  int storm = 0;
  int in_flight = 0;
  int jitter_ms = 0;
  // Reconnect storm (> 0 selects it): subscribers, dropped at once and reconnected with
  // backoff from `backoff_ms`; `topics` topics with one publisher each at `rate`.
  int reconnect_storm = 0;
  // Topics: a fan-out's subscribers and publishers are spread over them (subscriber i on
  // topic i mod topics, publisher p on p mod topics); a reconnect storm's, as above.
  int topics = 1;
  int backoff_ms = 50;
  int server_pid = 0;       // > 0: report that process's CPU over the measured time
  std::string label;        // names the run in its JSON (the comparison's row)
  std::string plot_prefix;  // non-empty: write <prefix>-latency-over-time.svg and -distribution.svg
};

}  // namespace sluice::load
