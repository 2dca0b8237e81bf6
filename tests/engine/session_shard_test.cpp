// Unit tests of the session shard: the state machine, owner-checked expiry, admission
// before allocation, the full-shard policies and exact gauges.
#include "engine/session_shard.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice {
namespace {

constexpr std::uint32_t unlimited = UINT32_MAX;

session_shard_config small_config(std::uint32_t sessions_max = 16) {
  session_shard_config c;
  c.sessions_max = sessions_max;
  c.handshake_timeout_ns = 2 * ns_per_s;
  c.idle_timeout_ns = 10 * ns_per_s;
  c.ping_timeout_ns = 3 * ns_per_s;
  c.resume_window_ns = 60 * ns_per_s;
  c.hash_seed = 0x5eed;
  return c;
}

session_id id_of(std::uint64_t n) { return session_id{n * 0x9e3779b97f4a7c15ull, n}; }

struct event_log {
  std::vector<session_event> events;
  void operator()(const session_event& e) { events.push_back(e); }
  [[nodiscard]] std::size_t count(session_event_kind kind, const session_id& id) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.kind == kind && e.id == id ? 1 : 0;
    return n;
  }
};

std::int64_t gauge_of(const session_shard& shard, session_state state) {
  return shard.counters().sessions[static_cast<std::size_t>(state)].load();
}

session_ref open_active(session_shard& shard, std::uint64_t n, time_ns now) {
  const open_result r = shard.open(id_of(n), now);
  EXPECT_EQ(r.refused, refusal::none);
  EXPECT_EQ(shard.activate(r.ref, now), session_error::ok);
  return r.ref;
}

// Steps the clock a tick at a time, as a reactor does.
void run_until(session_shard& shard, time_ns& now, time_ns until, event_log& log) {
  for (; now < until;) {
    now += ns_per_ms;
    shard.advance(now, unlimited, log);
  }
}

TEST(session_shard, touched_one_tick_before_deadline_survives_untouched_twin_times_out_on_time) {
  session_shard shard(small_config());
  time_ns now = 0;
  const session_ref touched = open_active(shard, 1, now);
  const session_ref twin = open_active(shard, 2, now);
  const time_ns idle = small_config().idle_timeout_ns;
  event_log log;
  run_until(shard, now, idle - ns_per_ms, log);
  EXPECT_TRUE(log.events.empty());  // nobody is due before the deadline
  ASSERT_EQ(shard.touch(touched, now), session_error::ok);
  run_until(shard, now, idle, log);
  // On the deadline tick exactly: the twin is pinged, the touched session is not.
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].kind, session_event_kind::ping_due);
  EXPECT_EQ(log.events[0].id, id_of(2));
  // No answer within the ping timeout: the twin's connection is dropped on time.
  run_until(shard, now, idle + small_config().ping_timeout_ns, log);
  EXPECT_EQ(log.count(session_event_kind::idle_timeout, id_of(2)), 1u);
  EXPECT_EQ(log.count(session_event_kind::ping_due, id_of(1)), 0u);
  EXPECT_EQ(shard.get(twin)->state(), session_state::detached);
  EXPECT_EQ(shard.get(touched)->state(), session_state::active);
}

TEST(session_shard, detached_twin_expires_on_time_resumed_one_survives) {
  session_shard shard(small_config());
  time_ns now = 0;
  const session_ref resumed = open_active(shard, 1, now);
  const session_ref twin = open_active(shard, 2, now);
  ASSERT_EQ(shard.detach(resumed, now), session_error::ok);
  ASSERT_EQ(shard.detach(twin, now), session_error::ok);
  const time_ns window = small_config().resume_window_ns;
  event_log log;
  run_until(shard, now, window - ns_per_ms, log);
  EXPECT_TRUE(log.events.empty());
  ASSERT_EQ(shard.resume(resumed, now), session_error::ok);
  run_until(shard, now, window, log);
  EXPECT_EQ(log.count(session_event_kind::expired, id_of(2)), 1u);
  EXPECT_EQ(shard.get(twin), nullptr);  // removed: the handle is stale
  EXPECT_FALSE(shard.find(id_of(2)).valid());
  EXPECT_NE(shard.get(resumed), nullptr);
  EXPECT_EQ(shard.counters().expired_total.load(), 1u);
}

TEST(session_shard, answered_ping_keeps_the_session) {
  session_shard shard(small_config());
  time_ns now = 0;
  const session_ref ref = open_active(shard, 1, now);
  event_log log;
  run_until(shard, now, small_config().idle_timeout_ns, log);
  ASSERT_EQ(log.count(session_event_kind::ping_due, id_of(1)), 1u);
  EXPECT_TRUE(shard.get(ref)->ping_outstanding());
  ASSERT_EQ(shard.touch(ref, now + ns_per_s), session_error::ok);  // the PONG
  run_until(shard, now, now + small_config().ping_timeout_ns + ns_per_s, log);
  EXPECT_EQ(log.count(session_event_kind::idle_timeout, id_of(1)), 0u);
  EXPECT_EQ(shard.get(ref)->state(), session_state::active);
  EXPECT_FALSE(shard.get(ref)->ping_outstanding());
}

TEST(session_shard, handshake_timeout_removes_unactivated_session) {
  session_shard shard(small_config());
  const open_result r = shard.open(id_of(1), 0);
  ASSERT_EQ(r.refused, refusal::none);
  event_log log;
  shard.advance(small_config().handshake_timeout_ns - ns_per_ms, unlimited, log);
  EXPECT_TRUE(log.events.empty());
  shard.advance(small_config().handshake_timeout_ns, unlimited, log);
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].kind, session_event_kind::handshake_timeout);
  EXPECT_EQ(shard.size(), 0u);
  EXPECT_EQ(gauge_of(shard, session_state::handshaking), 0);
  EXPECT_EQ(shard.activate(r.ref, small_config().handshake_timeout_ns), session_error::not_found);
}

TEST(session_shard, transitions_from_the_wrong_state_are_refused) {
  session_shard shard(small_config());
  const session_ref ref = shard.open(id_of(1), 0).ref;
  EXPECT_EQ(shard.detach(ref, 0), session_error::wrong_state);
  EXPECT_EQ(shard.resume(ref, 0), session_error::wrong_state);
  ASSERT_EQ(shard.activate(ref, 0), session_error::ok);
  EXPECT_EQ(shard.activate(ref, 0), session_error::wrong_state);
  EXPECT_EQ(shard.resume(ref, 0), session_error::wrong_state);
  ASSERT_EQ(shard.close(ref), session_error::ok);
  EXPECT_EQ(shard.close(ref), session_error::not_found);
  // A forged handle to a slot never used (generation 0 matches it) is still refused.
  EXPECT_EQ(shard.get(session_ref{15, 0}), nullptr);
  EXPECT_EQ(shard.activate(session_ref{15, 0}, 0), session_error::not_found);
  EXPECT_EQ(shard.touch(session_ref{15, 0}, 0), session_error::not_found);
  EXPECT_EQ(shard.counters().sessions[static_cast<std::size_t>(session_state::active)].load(), 0);
}

TEST(session_shard, duplicate_id_is_refused_without_side_effects) {
  session_shard shard(small_config());
  ASSERT_EQ(shard.open(id_of(1), 0).refused, refusal::none);
  EXPECT_EQ(shard.open(id_of(1), 0).refused, refusal::duplicate_id);
  EXPECT_EQ(shard.size(), 1u);
  EXPECT_EQ(shard.counters().refused_total[static_cast<std::size_t>(refusal::duplicate_id)].load(), 1u);
}

TEST(session_shard, refuse_policy_never_exceeds_capacity) {
  session_shard shard(small_config(100));
  std::uint32_t welcomed = 0, refused = 0;
  for (std::uint64_t n = 0; n < 150; ++n) {
    const open_result r = shard.open(id_of(n), 0);
    if (r.refused == refusal::none) {
      ++welcomed;
    } else {
      EXPECT_EQ(r.refused, refusal::capacity);
      ++refused;
    }
    ASSERT_LE(shard.size(), 100u);
    ASSERT_EQ(gauge_of(shard, session_state::handshaking), static_cast<std::int64_t>(shard.size()));
  }
  EXPECT_EQ(welcomed, 100u);
  EXPECT_EQ(refused, 50u);
  EXPECT_EQ(shard.counters().refused_total[static_cast<std::size_t>(refusal::capacity)].load(), 50u);
}

TEST(session_shard, evict_policy_evicts_the_least_recently_detached) {
  session_shard_config config = small_config(3);
  config.when_full = full_policy::evict_lru_detached;
  session_shard shard(config);
  const session_ref a = open_active(shard, 1, 0);
  const session_ref b = open_active(shard, 2, 0);
  const session_ref c = open_active(shard, 3, 0);
  EXPECT_EQ(shard.open(id_of(4), 0).refused, refusal::capacity);  // nobody detached: refuse
  ASSERT_EQ(shard.detach(b, 1), session_error::ok);
  ASSERT_EQ(shard.detach(a, 2), session_error::ok);
  ASSERT_EQ(shard.detach(c, 3), session_error::ok);
  ASSERT_EQ(shard.resume(b, 4), session_error::ok);  // b leaves the LRU list
  const open_result first = shard.open(id_of(5), 5);
  ASSERT_EQ(first.refused, refusal::none);
  ASSERT_TRUE(first.evicted.has_value());
  EXPECT_EQ(*first.evicted, id_of(1));  // a was detached before c
  const open_result second = shard.open(id_of(6), 6);
  ASSERT_TRUE(second.evicted.has_value());
  EXPECT_EQ(*second.evicted, id_of(3));
  EXPECT_EQ(shard.open(id_of(7), 7).refused, refusal::capacity);  // only b (active) and new ones left
  EXPECT_EQ(shard.size(), 3u);
  EXPECT_EQ(shard.counters().evicted_total.load(), 2u);
  EXPECT_EQ(gauge_of(shard, session_state::detached), 0);
}

TEST(session_shard, gauges_follow_every_transition) {
  session_shard shard(small_config());
  const session_ref ref = shard.open(id_of(1), 0).ref;
  EXPECT_EQ(gauge_of(shard, session_state::handshaking), 1);
  ASSERT_EQ(shard.activate(ref, 0), session_error::ok);
  EXPECT_EQ(gauge_of(shard, session_state::handshaking), 0);
  EXPECT_EQ(gauge_of(shard, session_state::active), 1);
  ASSERT_EQ(shard.detach(ref, 0), session_error::ok);
  EXPECT_EQ(gauge_of(shard, session_state::active), 0);
  EXPECT_EQ(gauge_of(shard, session_state::detached), 1);
  ASSERT_EQ(shard.close(ref), session_error::ok);
  EXPECT_EQ(gauge_of(shard, session_state::detached), 0);
  EXPECT_EQ(shard.counters().closed_total.load(), 1u);
}

TEST(session_shard, a_busy_session_costs_one_timer_fire_per_idle_period) {
  session_shard shard(small_config());
  time_ns now = 0;
  const session_ref ref = open_active(shard, 1, now);
  event_log log;
  const std::uint64_t fired_before = shard.wheel().fired_total();
  for (int i = 0; i < 100'000; ++i) {  // 100 s of traffic, one message per ms
    now += ns_per_ms;
    ASSERT_EQ(shard.touch(ref, now), session_error::ok);
    shard.advance(now, unlimited, log);
  }
  EXPECT_TRUE(log.events.empty());
  // The timer fired once per 10 s idle period and was re-armed each time: not once
  // per message, and not never (which would mean touch() re-armed it).
  const std::uint64_t fires = shard.wheel().fired_total() - fired_before;
  EXPECT_GE(fires, 9u);
  EXPECT_LE(fires, 11u);
}

TEST(session_shard, an_older_clock_reading_does_not_refire_due_timers) {
  session_shard shard(small_config());
  (void)open_active(shard, 1, 0);
  event_log log;
  const time_ns idle = small_config().idle_timeout_ns;
  // Budget 1 cannot finish the cascades down to the deadline tick: backlog remains.
  timing_wheel::advance_result r = shard.advance(idle + ns_per_ms, 1, log);
  ASSERT_TRUE(r.backlog);
  r = shard.advance(idle - ns_per_s, UINT32_MAX, log);  // an older reading, unlimited budget
  EXPECT_FALSE(r.backlog);
  EXPECT_LT(r.work, 10u);
  EXPECT_EQ(log.count(session_event_kind::ping_due, id_of(1)), 1u);
}

}  // namespace
}  // namespace sluice
