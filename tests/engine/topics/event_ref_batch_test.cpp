// References counted in batches: a fan-out's references are reserved at once and what
// is not taken goes back; released references count until the batch flushes, and the
// last one frees the event then, not before; a full batch drops early instead of
// growing; references dropped on other threads meanwhile keep the count exact.
#include "engine/topics/event_ref_batch.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace sluice {
namespace {

event_ref make_event(const char* text) {
  event_ref e = event_ref::create(1, 0, static_cast<std::uint32_t>(std::strlen(text)));
  std::memcpy(e.writable_frame().data(), text, std::strlen(text));
  return e;
}

TEST(EventRefFanout, TakenReferencesStayAndTheRestGoBack) {
  const event_ref e = make_event("fan");
  std::vector<event_ref> queues;
  {
    event_ref_fanout shares(e, 10);
    EXPECT_EQ(e->refs(), 11u);  // reserved in one update
    for (int i = 0; i < 4; ++i) queues.push_back(shares.take());
  }
  EXPECT_EQ(e->refs(), 5u);
  EXPECT_EQ(queues[3]->frame().data(), e->frame().data());
  queues.clear();
  EXPECT_EQ(e->refs(), 1u);
  { event_ref_fanout none(e, 0); }
  EXPECT_EQ(e->refs(), 1u);
}

TEST(EventReleaseBatch, ReleasesCountAtTheFlushAndTheLastOneFreesTheEvent) {
  event_block_cache cache;
  const event_block_cache::scope installed(cache);
  event_release_batch released;
  event_ref e = make_event("released");
  std::vector<event_ref> held(100, e);
  EXPECT_EQ(e->refs(), 101u);
  const std::size_t cached_before = cache.cached_bytes();
  for (event_ref& r : held) {
    released.release(r);
    EXPECT_FALSE(r);
  }
  released.release(e);
  EXPECT_EQ(released.events_pending(), 1u);
  EXPECT_EQ(cache.cached_bytes(), cached_before);  // not freed yet
  released.flush();
  EXPECT_EQ(released.events_pending(), 0u);
  EXPECT_GT(cache.cached_bytes(), cached_before);  // freed at the flush: its block came back
}

TEST(EventReleaseBatch, HeldEventsOutliveTheirLastQueueUntilTheFlush) {
  event_release_batch released;
  event_ref kept = make_event("kept");
  event_ref queued = kept;
  released.release(queued);
  EXPECT_EQ(kept->refs(), 2u);  // not yet dropped
  released.flush();
  EXPECT_EQ(kept->refs(), 1u);
}

// More events than slots: the batch never holds more than its slots, and every
// reference is dropped exactly once in the end.
TEST(EventReleaseBatch, AFullBatchDropsEarlyInsteadOfGrowing) {
  event_release_batch released;
  std::vector<event_ref> events;
  for (std::size_t i = 0; i < 3 * event_release_batch::slots; ++i) events.push_back(make_event("many"));
  for (int round = 0; round < 3; ++round) {
    for (const event_ref& e : events) {
      event_ref copy = e;
      released.release(copy);
      ASSERT_LE(released.events_pending(), event_release_batch::slots);
    }
  }
  released.flush();
  for (const event_ref& e : events) EXPECT_EQ(e->refs(), 1u);
}

// One thread drops through a batch while others drop directly: the event is freed
// once, by whoever drops last (ASan reports a double free or a leak, TSan a race).
TEST(EventReleaseBatch, DropsOnOtherThreadsMeanwhileKeepTheCountExact) {
  for (int round = 0; round < 200; ++round) {
    event_ref original = make_event("shared");
    std::vector<event_ref> mine(50, original);
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([copies = std::vector<event_ref>(20, original)]() mutable { copies.clear(); });
    }
    event_release_batch released;
    for (event_ref& r : mine) released.release(r);
    released.release(original);
    released.flush();
    for (std::thread& t : threads) t.join();
  }
}

}  // namespace
}  // namespace sluice
