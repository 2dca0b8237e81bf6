// sluice-demo: drives one engine shard through a scripted minute on a virtual clock and
// prints what the engine decides. It is what the README's run command starts until the
// sluiced server exists; it does no IO besides printing.
#include <cinttypes>
#include <cstdio>

#include "engine/session_shard.hpp"
#include "engine/shard_router.hpp"
#include "engine/source_limiter.hpp"

namespace {

using namespace sluice;

const char* kind_name(session_event_kind kind) {
  switch (kind) {
    case session_event_kind::ping_due:
      return "ping_due (send PING)";
    case session_event_kind::idle_timeout:
      return "idle_timeout (close connection, keep session detached)";
    case session_event_kind::handshake_timeout:
      return "handshake_timeout (close, session removed)";
    case session_event_kind::expired:
      return "expired (resume window over, session removed)";
  }
  return "?";
}

const char* outcome(refusal r) { return r == refusal::none ? "admitted" : refusal_name(r).data(); }

void print_gauges(const session_shard& shard, time_ns now) {
  const auto& c = shard.counters();
  std::printf("  t=%5.1fs  sessions: handshaking=%" PRId64 " active=%" PRId64 " detached=%" PRId64 "\n",
              static_cast<double>(now) / ns_per_s, c.sessions[0].load(), c.sessions[1].load(), c.sessions[2].load());
}

}  // namespace

int main() {
  session_shard_config config;
  config.sessions_max = 4;
  config.when_full = full_policy::evict_lru_detached;
  config.handshake_timeout_ns = 5 * ns_per_s;
  config.idle_timeout_ns = 10 * ns_per_s;
  config.ping_timeout_ns = 5 * ns_per_s;
  config.resume_window_ns = 20 * ns_per_s;
  session_shard shard(config);
  source_limiter limiter(
      {.sources_max = 16, .connections_per_source_max = 8, .connect_rate_per_s = 2, .connect_burst = 3});

  std::printf("sluice engine demo: one shard (max %u sessions, evict least recently detached when full)\n",
              config.sessions_max);
  std::printf("shard routing over 4 reactors: ");
  for (std::uint64_t n = 1; n <= 6; ++n) std::printf("s%" PRIu64 "->%u ", n, shard_of(session_id{0, n}, 4));
  std::printf("\n\nadmission of 5 connection attempts at t=0 from 127.0.0.1 (burst 3, 2/s):\n");
  const source_address local = source_address::from_ipv4(0x7f000001);
  for (int i = 0; i < 5; ++i) std::printf("  attempt %d: %s\n", i + 1, outcome(limiter.admit(local, 0)));

  std::printf("\nsessions on a virtual clock:\n");
  time_ns now = 0;
  session_ref refs[5];
  for (std::uint64_t n = 1; n <= 4; ++n) {
    const open_result r = shard.open(session_id{0, n}, now);
    refs[n] = r.ref;
    if (n != 4) (void)shard.activate(r.ref, now);
    std::printf("  open s%" PRIu64 ": %s%s\n", n, outcome(r.refused), n == 4 ? " (never activated)" : ", activated");
  }
  print_gauges(shard, now);
  const open_result full = shard.open(session_id{0, 5}, now);
  std::printf("  open s5 with the shard full and nobody detached: %s\n", outcome(full.refused));

  const auto on_event = [&](const session_event& e) {
    std::printf("  t=%5.1fs  s%" PRIu64 ": %s\n", static_cast<double>(now) / ns_per_s, e.id.lo, kind_name(e.kind));
  };
  for (int ms = 1; ms <= 60'000; ++ms) {
    now = static_cast<time_ns>(ms) * ns_per_ms;
    if (ms % 1'000 == 0 && ms <= 30'000) (void)shard.touch(refs[1], now);  // s1 keeps talking for 30 s
    if (ms == 8'000) {
      (void)shard.detach(refs[2], now);
      std::printf("  t=  8.0s  s2: connection lost, session detached (resumable for 20 s)\n");
    }
    if (ms == 12'000) {
      for (std::uint64_t n = 5; n <= 6; ++n) {
        const open_result r = shard.open(session_id{0, n}, now);
        std::printf("  t= 12.0s  open s%" PRIu64 ": %s", n, outcome(r.refused));
        if (r.evicted) std::printf(", evicting s%" PRIu64 " (least recently detached)", r.evicted->lo);
        std::printf("\n");
        (void)shard.activate(r.ref, now);
      }
    }
    shard.advance(now, 1'024, on_event);
    if (ms % 20'000 == 0) print_gauges(shard, now);
  }
  std::printf("\ntotals: opened=%" PRIu64 " pings=%" PRIu64 " idle_timeouts=%" PRIu64 " expired=%" PRIu64
              " evicted=%" PRIu64 " refused(capacity)=%" PRIu64 "\n",
              shard.counters().opened_total.load(), shard.counters().pings_total.load(),
              shard.counters().idle_timeouts_total.load(), shard.counters().expired_total.load(),
              shard.counters().evicted_total.load(),
              shard.counters().refused_total[static_cast<std::size_t>(refusal::capacity)].load());
  return 0;
}
