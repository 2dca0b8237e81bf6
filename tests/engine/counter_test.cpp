// A shard's counters are written by its owner and read by a scrape on another thread:
// readers see every value whole and never going backwards. Run under TSan this also
// checks the single-writer protocol is race-free.
#include "engine/counter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice {
namespace {

TEST(counter, concurrent_reader_sees_monotonic_values_and_the_final_total) {
  constexpr std::uint64_t increments = 200'000;
  counter c;
  gauge g;
  std::atomic<bool> started{false};
  std::atomic<bool> done{false};
  std::uint64_t reads = 0;
  bool went_back = false;
  std::thread reader([&] {
    std::uint64_t last = 0;
    started.store(true, std::memory_order_release);
    do {
      const std::uint64_t now = c.load();
      went_back |= now < last;
      last = now;
      const std::int64_t level = g.load();
      went_back |= level < 0 || level > 1;
      ++reads;
    } while (!done.load(std::memory_order_acquire));
  });
  while (!started.load(std::memory_order_acquire)) std::this_thread::yield();  // overlap the writes with reads
  for (std::uint64_t i = 0; i < increments; ++i) {
    c.add();
    g.add();
    g.sub();
  }
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_FALSE(went_back);
  EXPECT_EQ(c.load(), increments);
  EXPECT_EQ(g.load(), 0);
  EXPECT_GT(reads, 0u);
}

}  // namespace
}  // namespace sluice
