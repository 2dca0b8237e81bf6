// The timing wheel against a std::multimap reference over millions of random steps
// with a virtual clock. Prints its seed; SLUICE_SEED replays a run.
#include "tests/engine/timing_wheel_model.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/seed.hpp"

namespace sluice::test {
namespace {

using op = timing_wheel_model::op;

// Delays mix the scales sessions use: sub-tick jitter, seconds, hours, up to 8 days,
// so every level of the wheel is filed into and cascaded from.
time_ns random_delay(std::mt19937_64& rng, time_ns tick_ns) {
  switch (rng() % 8) {
    case 0:
      return rng() % (2 * tick_ns);
    case 1:
    case 2:
    case 3:
      return rng() % (100 * tick_ns);
    case 4:
    case 5:
      return rng() % (100'000 * tick_ns);
    case 6:
      return rng() % (30'000'000 * tick_ns);
    default:
      return rng() % (8ull * 24 * 3600 * ns_per_s);
  }
}

TEST(timing_wheel_model, random_steps_match_the_reference) {
  const std::uint64_t seed = test_seed("timing_wheel_model");
  std::mt19937_64 rng(seed);
  const time_ns ticks[] = {ns_per_ms, 100 * ns_per_us, 7 * ns_per_ms};
  const time_ns tick_ns = ticks[rng() % 3];
  const std::uint32_t timer_count = 1 + static_cast<std::uint32_t>(rng() % 4'096);
  timing_wheel_model model(timer_count, tick_ns);
  const std::uint64_t steps = model_steps(2'000'000);
  for (std::uint64_t step = 0; step < steps; ++step) {
    op o{};
    o.timer = static_cast<std::uint32_t>(rng() % timer_count);
    const unsigned dice = rng() % 100;
    if (dice < 45) {
      o.kind = op::schedule;  // arms, or re-arms an armed timer
      o.amount_ns = random_delay(rng, tick_ns);
      o.past = rng() % 20 == 0;
    } else if (dice < 60) {
      o.kind = op::cancel;
    } else {
      o.kind = op::advance;
      // Mostly a tick or so at a time, like a reactor; sometimes a long stall.
      const unsigned stride = rng() % 100;
      o.amount_ns = stride < 90   ? rng() % (3 * tick_ns)
                    : stride < 99 ? rng() % (5'000 * tick_ns)
                                  : rng() % (4ull * 24 * 3600 * ns_per_s);
      o.work_max = rng() % 4 == 0 ? 1 + static_cast<std::uint32_t>(rng() % 16) : UINT32_MAX;
      o.in_callback = static_cast<std::uint8_t>(rng() % 3);
      o.seed = static_cast<std::uint32_t>(rng());
    }
    const std::string error = model.apply(o);
    ASSERT_TRUE(error.empty()) << error << " at step " << step << " (seed " << seed << ")";
  }
  // Drain: everything still armed fires, in order, by a final unbounded advance.
  ASSERT_EQ(model.apply(op{op::advance, 0, 9ull * 24 * 3600 * ns_per_s, UINT32_MAX, false, 0, 0}), "");
  EXPECT_EQ(model.armed(), 0u);
  EXPECT_GT(model.fired(), steps / 100);  // the run exercised firing, not just arming
  std::printf("timing_wheel_model: %llu steps, %llu fired, %llu cascaded, %llu late\n",
              static_cast<unsigned long long>(steps), static_cast<unsigned long long>(model.fired()),
              static_cast<unsigned long long>(model.wheel().cascaded_total()),
              static_cast<unsigned long long>(model.wheel().fired_late_total()));
}

}  // namespace
}  // namespace sluice::test
