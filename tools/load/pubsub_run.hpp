// The publish/subscribe workloads of sluice-load (fan-out, pairs; closed loop with a
// window, or open loop at a fixed rate), run by several client threads and checked as
// they run.
//
// Shape. T topics (pairs: one per pair; fan-out: --topics, one by default). Publisher
// p publishes to topic p % T; subscriber i subscribes to topic i % T. Topic t's
// publishers live on thread t % threads and subscriber i on thread i % threads, so a
// pair shares a thread.
//
// Closed loop: a publisher keeps at most `window` messages in flight; one leaves the
// window when every subscriber of its topic has received it (window_receipts.hpp). A
// thread whose subscribers complete a message for a publisher on another thread rings
// that thread's doorbell. Open loop: publisher p sends message k at
// start + (k-1)/rate whatever happened before, and its latency counts from that
// intended time, so a stalled server shows up in the latency instead of slowing the
// sender (no coordinated omission).
//
// Bounds: every phase ends by itself (warm-up, the measured seconds, a drain of at most
// 2 s); an open-loop publisher sends at most 1,024 due messages per wake-up; a send that
// makes no progress for 5 s is an error.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/load/latency_histogram.hpp"
#include "tools/load/run_options.hpp"

namespace sluice::load {

// A closed-loop fan-out keeps a receipt counter per message in its publishers' windows:
// publishers x window is at most this (4 MiB of counters per client thread).
inline constexpr std::int64_t window_counters_max = std::int64_t{1} << 20;

struct pubsub_result {
  std::string connect_error;  // non-empty: the run never started
  std::size_t connections = 0;
  int topics = 0;  // what the run spread its publishers and subscribers over
  double measured_s = 0;
  std::uint64_t published = 0;  // sequences sent, whole run
  std::uint64_t delivered = 0;  // checked deliveries received while measuring
  std::uint64_t errors = 0;
  std::string first_error;
  // Times a connection's receive found no free buffer and waited a poll (client_ring);
  // often non-zero means the harness's buffers, not the server, set the pace.
  std::uint64_t receive_buffers_exhausted = 0;
  // Chunks received while measuring whose latency ended when read because the kernel
  // gave no arrival time (with run_options::latency_to_arrival). The kernel starts
  // stamping a moment after the first socket asks, well within a warm-up.
  std::uint64_t arrival_times_missing = 0;
  latency_histogram latency;                // publish (open loop: intended) to delivery, measured time
  double interval_s = 0;                    // width of each timeline entry
  std::vector<latency_histogram> timeline;  // latency per interval of the measured time
};

// Live figures for a progress display, read from another thread while the run goes.
struct pubsub_progress {
  std::uint64_t delivered = 0;
  std::uint64_t errors = 0;
  std::uint64_t recent_p99_ns = 0;  // of the last finished timeline interval
};

// Runs the workload; `on_measure(true)` and `on_measure(false)` are called from the
// calling thread at the start and end of the measured time (CPU sampling), and
// `on_progress` about once a second.
[[nodiscard]] pubsub_result run_pubsub(const run_options& o, const std::function<void(bool)>& on_measure,
                                       const std::function<void(const pubsub_progress&)>& on_progress);

}  // namespace sluice::load
