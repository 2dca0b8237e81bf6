// A workload's threads run with progress reports while they go, and the run returns as
// soon as the last thread ends, not at the next report.
#include "tools/load/progress_ticker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace sluice::load {
namespace {

using namespace std::chrono_literals;

TEST(ProgressTicker, ReturnsWhenTheLastThreadEndsWithoutWaitingForAReport) {
  std::atomic<int> ran{0};
  int ticks = 0;
  run_with_progress(
      3, [&](int) { ++ran; }, std::chrono::minutes(10), [&] { ++ticks; });
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(ticks, 0);  // a report would have come only after ten minutes
}

TEST(ProgressTicker, ReportsEveryPeriodWhileAThreadRuns) {
  std::atomic<int> ticks{0};
  run_with_progress(
      1,
      [&](int) {
        // Runs until it has been reported on three times (or 10 s have passed).
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (ticks.load() < 3 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
      },
      1ms, [&] { ++ticks; });
  EXPECT_GE(ticks.load(), 3);
}

}  // namespace
}  // namespace sluice::load
