// Event memory recycled on the freeing thread: reused warmest first, within its size
// class only, bounded, and only while a cache is installed. ASan checks that every
// block is freed exactly once (by the cache's destructor for those it still holds).
#include "engine/topics/event_block_cache.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "engine/topics/event_record.hpp"

namespace sluice {
namespace {

event_ref make_event(std::uint32_t frame_size) {
  event_ref e = event_ref::create(1, 0, frame_size);
  std::memset(e.writable_frame().data(), 0x5a, frame_size);  // the whole block is writable
  return e;
}

TEST(EventBlockCache, TheLastFreedBlockOfAClassIsTheNextGivenOut) {
  event_block_cache cache;
  const event_block_cache::scope scope(cache);
  event_ref a = make_event(100);
  event_ref b = make_event(100);
  const void* b_block = &*b;
  a.reset();
  b.reset();
  EXPECT_EQ(cache.cached_bytes(), 2 * event_block_cache::block_size(sizeof(event_record) + 100));
  // Another size in the same 64-byte class reuses it: the block was sized for the class.
  static_assert(event_block_cache::block_size(sizeof(event_record) + 100) ==
                event_block_cache::block_size(sizeof(event_record) + 120));
  event_ref c = make_event(120);
  EXPECT_EQ(&*c, b_block);
  EXPECT_EQ(cache.recycled_total(), 1u);
  // A size of another class does not.
  event_ref d = make_event(1000);
  EXPECT_EQ(cache.recycled_total(), 1u);
}

TEST(EventBlockCache, WithoutAnInstalledCacheEventsUseTheAllocator) {
  event_block_cache cache;  // not installed
  event_ref a = make_event(100);
  a.reset();
  event_ref b = make_event(100);
  EXPECT_EQ(cache.cached_bytes(), 0u);
  EXPECT_EQ(cache.recycled_total(), 0u);
}

TEST(EventBlockCache, HoldsAtMostItsBoundAndCountsWhatItGivesBack) {
  event_block_cache cache;
  const event_block_cache::scope scope(cache);
  const std::size_t block = event_block_cache::block_size(sizeof(event_record) + 400);
  const std::size_t fitting = event_block_cache::cached_bytes_max / block;
  std::vector<event_ref> events;
  for (std::size_t i = 0; i < fitting + 50; ++i) events.push_back(make_event(400));
  events.clear();
  EXPECT_LE(cache.cached_bytes(), event_block_cache::cached_bytes_max);
  EXPECT_EQ(cache.cached_bytes(), fitting * block);
  EXPECT_EQ(cache.overflow_total(), 50u);
}

TEST(EventBlockCache, EventsLargerThanAClassBypassIt) {
  event_block_cache cache;
  const event_block_cache::scope scope(cache);
  event_ref big = make_event(event_block_cache::block_max);  // plus its header: over the largest class
  big.reset();
  EXPECT_EQ(cache.cached_bytes(), 0u);
  EXPECT_EQ(cache.overflow_total(), 0u);
}

TEST(EventBlockCache, AnEventFreedOnAnotherThreadGoesToThatThreadsCache) {
  event_block_cache mine;
  const event_block_cache::scope scope(mine);
  event_ref shared = make_event(100);
  std::size_t theirs_cached = 0;
  std::thread other([&] {
    event_block_cache theirs;
    const event_block_cache::scope their_scope(theirs);
    shared.reset();  // the last reference, dropped here
    theirs_cached = theirs.cached_bytes();
  });
  other.join();
  EXPECT_GT(theirs_cached, 0u);  // and freed by their cache's destructor
  EXPECT_EQ(mine.cached_bytes(), 0u);
}

}  // namespace
}  // namespace sluice
