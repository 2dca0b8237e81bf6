// The reactor inbox: its bound, its wake-up, and many producers at once.
#include "net/mailbox.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>
#include <vector>

namespace sluice::test {
namespace {

TEST(Mailbox, RefusesBeyondItsCapacityAndAcceptsAgainAfterADrain) {
  mailbox<int> box(4);
  auto token = box.make_token();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(box.post(token, int{i}));
  EXPECT_FALSE(box.post(token, 99));
  EXPECT_EQ(box.size(), 4u);
  std::vector<int> seen;
  EXPECT_EQ(box.drain(2, [&](int&& v) { seen.push_back(v); }), 2u);
  EXPECT_TRUE(box.post(token, 4));
  box.drain(100, [&](int&& v) { seen.push_back(v); });
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));  // one producer: its order is kept
  EXPECT_EQ(box.size(), 0u);
}

TEST(Mailbox, APostWakesTheOwnerOnceUntilItLooks) {
  mailbox<int> box(16);
  auto token = box.make_token();
  pollfd p{box.wake_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  ASSERT_TRUE(box.post(token, 1));
  ASSERT_TRUE(box.post(token, 2));
  ASSERT_EQ(::poll(&p, 1, 0), 1);
  std::uint64_t wakes = 0;
  ASSERT_EQ(::read(box.wake_fd(), &wakes, sizeof wakes), static_cast<ssize_t>(sizeof wakes));
  EXPECT_EQ(wakes, 1u);  // two posts, one eventfd write
  box.note_woken();
  ASSERT_TRUE(box.post(token, 3));
  EXPECT_EQ(::poll(&p, 1, 0), 1);
}

TEST(Mailbox, ManyProducersNothingLostNothingDuplicated) {
  constexpr int producers = 4;
  constexpr int per_producer = 20'000;
  mailbox<int> box(1024);
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&box, &refused, p] {
      auto token = box.make_token();
      for (int i = 0; i < per_producer; ++i) {
        while (!box.post(token, p * per_producer + i)) refused.fetch_add(1);  // full: the owner catches up
      }
    });
  }
  std::vector<int> count(producers * per_producer, 0);
  int received = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (received < producers * per_producer && std::chrono::steady_clock::now() < deadline) {
    received += static_cast<int>(box.drain(256, [&](int&& v) { ++count[static_cast<std::size_t>(v)]; }));
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(received, producers * per_producer);
  for (int v : count) ASSERT_EQ(v, 1);
  EXPECT_LE(box.size(), 0u);
}

}  // namespace
}  // namespace sluice::test
