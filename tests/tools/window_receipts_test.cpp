// A closed-loop message leaves its publisher's window when every subscriber has it: per
// thread once the last of its subscribers has it, across threads once the last thread
// has. Counters are reused by sequence mod window, and a reused counter starts over.
#include "tools/load/window_receipts.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace sluice::load {
namespace {

TEST(ThreadReceipts, TheLastOfTheThreadsSubscribersCompletesAMessage) {
  thread_receipts r(4, 3);
  EXPECT_FALSE(r.receive(1));
  EXPECT_FALSE(r.receive(1));
  EXPECT_FALSE(r.receive(2));  // the first subscriber is ahead
  EXPECT_TRUE(r.receive(1));
  EXPECT_FALSE(r.receive(2));
  EXPECT_TRUE(r.receive(2));
}

TEST(ThreadReceipts, ACounterReusedAWindowLaterStartsOver) {
  thread_receipts r(4, 2);
  EXPECT_FALSE(r.receive(1));
  EXPECT_TRUE(r.receive(1));
  EXPECT_FALSE(r.receive(5));  // 5 % 4 == 1 % 4
  EXPECT_TRUE(r.receive(5));
}

TEST(ThreadReceipts, OneSubscriberCompletesEveryMessage) {
  thread_receipts r(4, 1);
  for (std::uint64_t seq = 1; seq <= 10; ++seq) EXPECT_TRUE(r.receive(seq));
}

TEST(SharedReceipts, TheLastThreadCompletesAMessageAndAReusedCounterStartsOver) {
  shared_receipts r(4, 3);
  EXPECT_FALSE(r.receive(1));
  EXPECT_FALSE(r.receive(1));
  EXPECT_TRUE(r.receive(1));
  EXPECT_FALSE(r.receive(5));
  EXPECT_FALSE(r.receive(5));
  EXPECT_TRUE(r.receive(5));
  shared_receipts one(4, 1);
  EXPECT_TRUE(one.receive(1));
  EXPECT_TRUE(one.receive(2));
}

// Three threads with four subscribers each receive one publisher's messages in order,
// never more than the window ahead of what has left it (as the publisher sends): every
// message leaves the window exactly once, and in order.
TEST(SharedReceipts, ThreadsTogetherCompleteEachMessageOnceAndInOrder) {
  constexpr std::uint32_t window = 8;
  constexpr std::uint32_t threads = 3;
  constexpr std::uint32_t subscribers_per_thread = 4;
  constexpr std::uint64_t messages = 20'000;
  shared_receipts shared(window, threads);
  std::atomic<std::uint64_t> left{0};
  std::atomic<bool> out_of_order{false};
  std::atomic<bool> timed_out{false};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::thread> workers;
  for (std::uint32_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      thread_receipts mine(window, subscribers_per_thread);
      for (std::uint64_t seq = 1; seq <= messages; ++seq) {
        // Message seq is sent only once seq - window has left the window.
        while (left.load(std::memory_order_acquire) + window < seq) {
          if (std::chrono::steady_clock::now() > deadline) return timed_out.store(true);
          std::this_thread::yield();
        }
        for (std::uint32_t s = 0; s < subscribers_per_thread; ++s) {
          if (!mine.receive(seq) || !shared.receive(seq)) continue;
          if (left.fetch_add(1, std::memory_order_acq_rel) + 1 != seq) out_of_order.store(true);
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  EXPECT_FALSE(timed_out.load());
  EXPECT_FALSE(out_of_order.load());
  EXPECT_EQ(left.load(), messages);
}

}  // namespace
}  // namespace sluice::load
