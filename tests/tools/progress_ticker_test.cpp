// The progress ticker reports while a workload's threads run and returns as soon as the
// last one ends, not at the next report.
#include "tools/load/progress_ticker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sluice::load {
namespace {

using namespace std::chrono_literals;

TEST(ProgressTicker, ReturnsWhenTheLastThreadEndsWithoutWaitingForAReport) {
  progress_ticker ticker;
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&] { ticker.finished(); });
  int ticks = 0;
  ticker.wait(3, std::chrono::minutes(10), [&] { ++ticks; });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ticks, 0);  // a report would have come only after ten minutes
}

TEST(ProgressTicker, ReportsEveryPeriodWhileAThreadRuns) {
  progress_ticker ticker;
  std::atomic<int> ticks{0};
  std::thread worker([&] {
    // Runs until it has been reported on three times (or 10 s have passed).
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (ticks.load() < 3 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    ticker.finished();
  });
  ticker.wait(1, 1ms, [&] { ++ticks; });
  worker.join();
  EXPECT_GE(ticks.load(), 3);
}

}  // namespace
}  // namespace sluice::load
