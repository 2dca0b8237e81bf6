// Unit tests of the timing wheel's contract: never early, at most one tick late, cancel
// and reschedule in O(1), bounded work per advance with nothing lost.
#include "engine/timing_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace sluice {
namespace {

struct named_timer {
  explicit named_timer(int n = 0) : name(n) {}
  timer_node node;  // first member: the callback casts the node back
  int name;
};

// Collects the names of fired timers; the node is the first member of named_timer.
struct fired_log {
  std::vector<int> names;
  void operator()(timer_node& node) { names.push_back(reinterpret_cast<named_timer&>(node).name); }
};

constexpr std::uint32_t unlimited = UINT32_MAX;

TEST(timing_wheel, fires_at_deadline_never_before) {
  named_timer t(1);
  timing_wheel wheel;
  wheel.schedule(t.node, 10 * ns_per_ms);
  fired_log log;
  wheel.advance(10 * ns_per_ms - 1, unlimited, log);
  EXPECT_TRUE(log.names.empty());
  EXPECT_TRUE(t.node.scheduled());
  wheel.advance(10 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{1});
  EXPECT_FALSE(t.node.scheduled());
  EXPECT_EQ(wheel.scheduled_count(), 0u);
}

TEST(timing_wheel, deadline_between_ticks_rounds_up) {
  named_timer t(1);
  timing_wheel wheel;
  wheel.schedule(t.node, 10 * ns_per_ms + ns_per_ms / 2);
  fired_log log;
  wheel.advance(10 * ns_per_ms + ns_per_ms / 2, unlimited, log);  // tick 10 only: deadline not reached
  EXPECT_TRUE(log.names.empty());
  wheel.advance(11 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{1});
}

TEST(timing_wheel, cancelled_timer_never_fires) {
  named_timer a(1), b(2);
  timing_wheel wheel;
  wheel.schedule(a.node, 5 * ns_per_ms);
  wheel.schedule(b.node, 5 * ns_per_ms);
  wheel.cancel(a.node);
  wheel.cancel(a.node);  // cancelling a disarmed timer is a no-op
  fired_log log;
  wheel.advance(100 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{2});
}

TEST(timing_wheel, reschedule_moves_the_deadline_both_ways) {
  named_timer later(1), sooner(2);
  timing_wheel wheel;
  wheel.schedule(later.node, 5 * ns_per_ms);
  wheel.schedule(sooner.node, 5'000 * ns_per_ms);
  wheel.schedule(later.node, 9'000 * ns_per_ms);
  wheel.schedule(sooner.node, 3 * ns_per_ms);
  EXPECT_EQ(wheel.scheduled_count(), 2u);
  fired_log log;
  wheel.advance(8'999 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{2});
  wheel.advance(9'000 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, (std::vector<int>{2, 1}));
}

TEST(timing_wheel, seven_day_deadline_fires_exactly_on_its_tick) {
  const time_ns week = 7 * 24 * 3600 * ns_per_s;
  named_timer t(1);
  timing_wheel wheel;
  wheel.schedule(t.node, week + ns_per_ms);
  fired_log log;
  // Walk up in uneven strides so the cursor crosses boundaries of every level.
  for (time_ns now = 0; now < week; now += 977 * ns_per_s + 3) {
    wheel.advance(now, unlimited, log);
  }
  wheel.advance(week, unlimited, log);
  EXPECT_TRUE(log.names.empty());
  const auto fired = wheel.advance(week + ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{1});
  EXPECT_EQ(fired.fired, 1u);
  EXPECT_EQ(wheel.fired_late_total(), 0u);
}

TEST(timing_wheel, deadlines_across_the_whole_tick_range_are_kept) {
  std::vector<named_timer> timers(64);
  timing_wheel wheel({.tick_ns = 1, .origin_ns = 0});
  for (int bit = 0; bit < 64; ++bit) {
    timers[bit].name = bit;
    wheel.schedule(timers[bit].node, std::uint64_t{1} << bit);
  }
  fired_log log;
  for (int bit = 0; bit < 64; ++bit) {
    wheel.advance((std::uint64_t{1} << bit) - 1, unlimited, log);
    ASSERT_EQ(log.names.size(), static_cast<std::size_t>(bit)) << "fired early before 2^" << bit;
    wheel.advance(std::uint64_t{1} << bit, unlimited, log);
    ASSERT_EQ(log.names.size(), static_cast<std::size_t>(bit + 1)) << "missed 2^" << bit;
    EXPECT_EQ(log.names.back(), bit);
  }
}

TEST(timing_wheel, budget_bounds_work_per_call_and_loses_nothing) {
  std::vector<named_timer> timers(100);
  timing_wheel wheel;
  for (int i = 0; i < 100; ++i) {
    timers[i].name = i;
    wheel.schedule(timers[i].node, 10 * ns_per_ms);  // level 0: no cascade work
  }
  fired_log log;
  for (int call = 0; call < 9; ++call) {
    const auto r = wheel.advance(10 * ns_per_ms, 11, log);
    EXPECT_EQ(r.fired, 11u);
    EXPECT_TRUE(r.backlog);
  }
  const auto last = wheel.advance(10 * ns_per_ms, 11, log);
  EXPECT_EQ(last.fired, 1u);
  EXPECT_FALSE(last.backlog);
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  std::sort(log.names.begin(), log.names.end());
  EXPECT_EQ(log.names, expected);  // none lost or repeated
  EXPECT_EQ(wheel.fired_late_total(), 0u);
}

TEST(timing_wheel, cascade_work_counts_against_the_budget) {
  std::vector<named_timer> timers(50);
  timing_wheel wheel;
  for (auto& t : timers) wheel.schedule(t.node, 1'000'000 * ns_per_ms);  // level 2: bit 19 of the tick
  fired_log log;
  std::uint32_t calls = 0;
  for (timing_wheel::advance_result r; calls == 0 || r.backlog; ++calls) {
    r = wheel.advance(1'000'000 * ns_per_ms, 8, log);
    EXPECT_LE(r.work, 8u);
  }
  EXPECT_EQ(log.names.size(), 50u);
  EXPECT_EQ(wheel.cascaded_total(), 100u);  // each timer moved level 2 -> 1 -> 0
  EXPECT_EQ(calls, (50u * 3 + 7) / 8);
}

TEST(timing_wheel, timers_held_back_by_budget_are_counted_late) {
  std::vector<named_timer> timers(10);
  timing_wheel wheel;
  for (auto& t : timers) wheel.schedule(t.node, 1 * ns_per_ms);
  fired_log log;
  wheel.advance(1 * ns_per_ms, 5, log);
  EXPECT_EQ(wheel.fired_late_total(), 0u);
  wheel.advance(5 * ns_per_ms, unlimited, log);  // the other 5 fire 4 ticks late
  EXPECT_EQ(log.names.size(), 10u);
  EXPECT_EQ(wheel.fired_late_total(), 5u);
}

TEST(timing_wheel, past_deadline_fires_on_next_advance) {
  named_timer t(7);
  fired_log log;
  timing_wheel wheel;
  wheel.advance(50 * ns_per_ms, unlimited, log);
  wheel.schedule(t.node, 10 * ns_per_ms);
  wheel.advance(50 * ns_per_ms, unlimited, log);
  EXPECT_TRUE(log.names.empty());  // tick 50 is done; the next tick is the earliest
  wheel.advance(51 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{7});
}

TEST(timing_wheel, callback_may_rearm_the_fired_timer) {
  named_timer t(1);
  timing_wheel wheel;
  wheel.schedule(t.node, 10 * ns_per_ms);
  int fires = 0;
  time_ns now = 0;
  const auto rearm = [&](timer_node& node) {
    ++fires;
    wheel.schedule(node, now + 10 * ns_per_ms);
  };
  for (now = 0; now <= 1'000 * ns_per_ms; now += ns_per_ms) wheel.advance(now, unlimited, rearm);
  EXPECT_EQ(fires, 100);
  EXPECT_TRUE(t.node.scheduled());
  wheel.cancel(t.node);
}

TEST(timing_wheel, callback_may_cancel_a_timer_due_in_the_same_tick) {
  named_timer a(1), b(2);
  timing_wheel wheel;
  wheel.schedule(a.node, 3 * ns_per_ms);
  wheel.schedule(b.node, 3 * ns_per_ms);
  std::vector<int> names;
  wheel.advance(3 * ns_per_ms, unlimited, [&](timer_node& node) {
    names.push_back(reinterpret_cast<named_timer&>(node).name);
    wheel.cancel(b.node);
  });
  EXPECT_EQ(names, std::vector<int>{1});
  EXPECT_EQ(wheel.scheduled_count(), 0u);
}

// With 1 ns ticks a 2^61-tick jump would never finish if the cursor stepped through
// empty ticks one by one; with occupancy bitmaps it takes a handful of steps.
TEST(timing_wheel, idle_time_is_jumped_not_stepped) {
  named_timer t(1);
  timing_wheel wheel({.tick_ns = 1, .origin_ns = 0});
  wheel.schedule(t.node, std::uint64_t{1} << 62);
  fired_log log;
  const auto r = wheel.advance(std::uint64_t{1} << 61, unlimited, log);
  EXPECT_EQ(r.work, 0u);
  EXPECT_TRUE(log.names.empty());
  wheel.advance(std::uint64_t{1} << 62, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{1});
}

TEST(timing_wheel, the_end_of_time_is_reachable) {
  named_timer last(1);
  timing_wheel wheel({.tick_ns = 1, .origin_ns = 0});
  wheel.schedule(last.node, time_ns_max);
  fired_log log;
  wheel.advance(time_ns_max - 2, unlimited, log);
  EXPECT_TRUE(log.names.empty());
  wheel.advance(time_ns_max, unlimited, log);  // terminates, and fires the last timer
  EXPECT_EQ(log.names, std::vector<int>{1});
  wheel.advance(time_ns_max, unlimited, log);
  EXPECT_EQ(log.names.size(), 1u);
}

TEST(timing_wheel, time_never_moves_back) {
  named_timer t(1);
  timing_wheel wheel;
  wheel.schedule(t.node, 20 * ns_per_ms);
  fired_log log;
  wheel.advance(15 * ns_per_ms, unlimited, log);
  wheel.advance(5 * ns_per_ms, unlimited, log);  // an older reading is ignored
  wheel.advance(19 * ns_per_ms, unlimited, log);
  EXPECT_TRUE(log.names.empty());
  wheel.advance(20 * ns_per_ms, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{1});
}

TEST(timing_wheel, origin_and_tick_size_are_respected) {
  named_timer t(1);
  timing_wheel wheel({.tick_ns = 250 * ns_per_us, .origin_ns = 1'000 * ns_per_s});
  wheel.schedule(t.node, 1'000 * ns_per_s + 600 * ns_per_us);  // rounds up to the 750 us tick
  fired_log log;
  wheel.advance(1'000 * ns_per_s + 749 * ns_per_us, unlimited, log);
  EXPECT_TRUE(log.names.empty());
  wheel.advance(1'000 * ns_per_s + 750 * ns_per_us, unlimited, log);
  EXPECT_EQ(log.names, std::vector<int>{1});
}

}  // namespace
}  // namespace sluice
