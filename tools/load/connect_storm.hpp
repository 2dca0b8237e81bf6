// The connect storm of sluice-load: C connections opened as fast as the server takes
// them (all at once, at most K opening at a time, or each at a random moment within a
// jitter span), each counted as connected only when the protocol's opening is answered
// (sluice: WELCOME; Redis: PONG; NATS: PONG after CONNECT). All stay open until the
// storm ends, answering the server's PINGs, so the server holds C connections at its
// peak.
//
// Bounds: each connection has 10 s to open; the storm ends at jitter + 30 s at most.
// Threads split the connections (and the in-flight bound) evenly; with a bound, there
// are no more threads than it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "tools/load/latency_histogram.hpp"
#include "tools/load/run_options.hpp"

namespace sluice::load {

struct storm_result {
  std::uint64_t attempted = 0;
  std::uint64_t connected = 0;                  // opened and answered
  std::uint64_t peak_open = 0;                  // connected and still open at the end
  std::map<std::string, std::uint64_t> failed;  // by reason
  latency_histogram connect_time;               // start of connect() to the opening's answer, ns
  double elapsed_s = 0;                         // first connect() to the last connection resolved
  [[nodiscard]] std::uint64_t failures() const {
    std::uint64_t n = 0;
    for (const auto& [reason, count] : failed) n += count;
    return n;
  }
};

// Live figures for a progress display, summed over the threads while the storm goes.
struct storm_progress {
  std::uint64_t connected = 0;
  std::uint64_t failed = 0;
  double elapsed_s = 0;  // since the storm began
};

// Runs the storm; `on_measure(true)` is called before the first connect and
// `on_measure(false)` once every connection is resolved, before the sessions are ended
// and closed, so that what is measured is the storm, not its teardown. `on_progress` is
// called from the calling thread about once a second while the storm goes.
[[nodiscard]] storm_result run_storm(const run_options& o, const std::function<void(bool)>& on_measure,
                                     const std::function<void(const storm_progress&)>& on_progress);

}  // namespace sluice::load
