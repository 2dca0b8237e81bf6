// The ring FIFO against std::deque over random pushes and pops, wrapping and growing,
// and the release of a burst's memory.
#include "engine/ring_queue.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <variant>

namespace sluice {
namespace {

TEST(RingQueue, MatchesADequeOverRandomPushesAndPops) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  ring_queue<std::unique_ptr<int>> ring;  // move-only, and ASan sees a leaked or doubly freed element
  std::deque<int> model;
  int next = 0;
  for (int step = 0; step < 200'000; ++step) {
    // Phases that mostly push, then mostly pop, so the ring wraps at many sizes.
    const bool pushing = (step / 5'000) % 2 == 0;
    if (rng() % 4 != 0 ? pushing : !pushing) {
      ring.push_back(std::make_unique<int>(next));
      model.push_back(next++);
    } else if (!model.empty()) {
      ASSERT_EQ(*ring.front(), model.front());
      ring.pop_front();
      model.pop_front();
    }
    ASSERT_EQ(ring.size(), model.size());
    ASSERT_EQ(ring.empty(), model.empty());
    if (!model.empty()) {
      ASSERT_EQ(*ring.front(), model.front());
      ASSERT_EQ(*ring.back(), model.back());
    }
    ASSERT_GE(ring.capacity(), ring.size());
  }
}

TEST(RingQueue, GrowsByDoublingAndKeepsOrderAcrossTheWrap) {
  ring_queue<int> ring;
  for (int i = 0; i < 40; ++i) ring.push_back(int{i});
  for (int i = 0; i < 30; ++i) ring.pop_front();  // head near the end of the first 64 slots
  const std::size_t before = ring.capacity();
  for (int i = 40; i < 40 + 100; ++i) ring.push_back(int{i});  // wraps, then grows
  EXPECT_GT(ring.capacity(), before);
  EXPECT_EQ(ring.capacity() & (ring.capacity() - 1), 0u);  // a power of two
  for (int expected = 30; expected < 140; ++expected) {
    ASSERT_EQ(ring.front(), expected);
    ring.pop_front();
  }
  EXPECT_TRUE(ring.empty());
}

TEST(RingQueue, GivesABurstsMemoryBackOnlyWhenEmptyAndLarger) {
  ring_queue<int> ring;
  for (int i = 0; i < 1000; ++i) ring.push_back(int{i});
  const std::size_t burst = ring.capacity();
  ring.release_if_larger(64);
  EXPECT_EQ(ring.capacity(), burst);  // not empty: kept
  ring.clear();
  ring.release_if_larger(burst);
  EXPECT_EQ(ring.capacity(), burst);  // not larger than asked: kept
  ring.release_if_larger(64);
  EXPECT_EQ(ring.capacity(), 0u);
  ring.push_back(7);  // usable again
  EXPECT_EQ(ring.front(), 7);
}

TEST(RingQueue, MovingHandsOverTheElements) {
  ring_queue<std::unique_ptr<int>> a;
  for (int i = 0; i < 100; ++i) a.push_back(std::make_unique<int>(i));
  ring_queue<std::unique_ptr<int>> b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(b.size(), 100u);
  ring_queue<std::unique_ptr<int>> c;
  c.push_back(std::make_unique<int>(-1));
  c = std::move(b);
  ASSERT_EQ(c.size(), 100u);
  EXPECT_EQ(*c.front(), 0);
  EXPECT_EQ(*c.back(), 99);
}

// emplace_back builds the element in its slot from the arguments, across a growth too:
// a variant from one of its alternatives, as the reactor's local queue does.
TEST(RingQueue, EmplaceBuildsInTheSlot) {
  ring_queue<std::variant<int, std::string>> ring;
  for (int i = 0; i < 100; ++i) {
    if (i % 2 == 0) {
      ring.emplace_back(i);
    } else {
      ring.emplace_back(std::string(40, static_cast<char>('a' + i % 26)));  // past the small-string buffer
    }
  }
  for (int i = 0; i < 100; ++i) {
    if (i % 2 == 0) {
      ASSERT_EQ(std::get<int>(ring.front()), i);
    } else {
      ASSERT_EQ(std::get<std::string>(ring.front()), std::string(40, static_cast<char>('a' + i % 26)));
    }
    ring.pop_front();
  }
  EXPECT_TRUE(ring.empty());
}

}  // namespace
}  // namespace sluice
