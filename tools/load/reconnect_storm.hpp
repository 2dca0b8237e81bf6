// The reconnect storm of sluice-load: C subscribers receive a steady stream (one
// publisher per topic at --rate, open loop), then every subscriber connection is dropped
// at once and reconnects with jittered exponential backoff while the publishers go on.
//
// On sluice each subscriber resumes its session: HELLO with RESUME and, right behind it,
// SUBSCRIBE with FROM_SEQ = the last sequence it received + 1, as docs/protocol.md
// advises. Every event is checked against the server's sequence numbers: after the
// reconnect the stream must go on at exactly the next sequence, so nothing is lost and
// nothing is delivered twice. (Events the server replays on its own before the ACK of
// that SUBSCRIBE may repeat what the client has; the protocol lets a client skip those,
// and they are counted, not treated as errors.) Events published while a subscriber was
// away and delivered after it came back are counted as recovered. A resume that comes
// back as a new session, a truncated history (GAP, TRUNCATED) or any gap is an error.
//
// Redis and NATS have no sessions: a subscriber reconnects and subscribes again, and
// what was published meanwhile is lost. That loss is counted (events_lost), not an
// error, since neither promises otherwise; a gap at any other time is an error.
//
// Threads: --threads K splits the topics over K client threads (at most one per topic),
// each with its topics' publishers and subscribers; all drop at the same instant.
//
// Bounds: reconnect attempts <= 10 per connection, backoff capped at 2 s; the storm
// phase ends 30 s after the drop at most; then --seconds of steady stream and a drain
// of at most 2 s.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "tools/load/latency_histogram.hpp"
#include "tools/load/run_options.hpp"

namespace sluice::load {

struct reconnect_result {
  std::string setup_error;  // non-empty: the run never started
  int threads_used = 1;     // --threads, or the topic count when that is lower
  std::uint64_t connections = 0;
  std::uint64_t reconnected = 0;                // subscribed again after the drop
  std::uint64_t resumed = 0;                    // sluice: WELCOME with RESUMED
  std::map<std::string, std::uint64_t> failed;  // by reason (gave up, refused, ...)
  latency_histogram reconnect_time;             // drop to subscription confirmed, ns
  std::uint64_t delivered = 0;                  // checked events, whole run
  std::uint64_t recovered = 0;                  // published while away, delivered after
  std::uint64_t replayed_twice = 0;             // sluice: repeats before the ACK, skipped
  std::uint64_t lost = 0;                       // Redis, NATS: published while away, never delivered
  std::uint64_t errors = 0;
  std::string first_error;
  double storm_s = 0;  // drop to the last connection resolved
};

// Live figures for a progress display, summed over the threads while the run goes.
struct reconnect_progress {
  std::uint64_t reconnected = 0;
  std::uint64_t delivered = 0;
  std::uint64_t errors = 0;
};

// Runs the workload; `on_progress` is called from the calling thread about once a
// second while it goes.
[[nodiscard]] reconnect_result run_reconnect_storm(const run_options& o,
                                                   const std::function<void(const reconnect_progress&)>& on_progress);

}  // namespace sluice::load
