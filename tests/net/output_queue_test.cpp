// A connection's output: frames and events in order (large events shared, small ones
// copied in with their neighbours), handed out as iovecs and consumed across partial
// sends.
#include "net/output_queue.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace sluice {
namespace {

event_ref event_with(std::string_view bytes) {
  event_ref e = event_ref::create(1, 0, static_cast<std::uint32_t>(bytes.size()));
  std::memcpy(e.writable_frame().data(), bytes.data(), bytes.size());
  return e;
}

// An event too large to be copied into a queue: queues share it.
std::string large(char fill) { return std::string(output_queue::copy_max + 1, fill); }

void put(output_queue& q, std::string_view bytes) {
  std::span<std::byte> room = q.append_bytes(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
}

// What the iovecs describe, concatenated.
std::string pending(const output_queue& q, std::size_t max_segments = 1024) {
  std::vector<iovec> iov;
  q.fill_iovecs(iov, max_segments);
  std::string s;
  for (const iovec& v : iov) s.append(static_cast<const char*>(v.iov_base), v.iov_len);
  return s;
}

TEST(OutputQueue, FramesAndEventsKeepTheirOrderAndAdjacentFramesShareASegment) {
  output_queue q;
  put(q, "ab");
  put(q, "cd");  // same segment as "ab"
  q.append_event(event_with(large('1')), 1);
  put(q, "ef");
  q.append_event(event_with(large('2')), 1);
  EXPECT_EQ(q.bytes(), 6 + 2 * large('x').size());
  std::vector<iovec> iov;
  q.fill_iovecs(iov, 1024);
  EXPECT_EQ(iov.size(), 4u);
  EXPECT_EQ(pending(q), "abcd" + large('1') + "ef" + large('2'));
  EXPECT_EQ(pending(q, 2), "abcd" + large('1'));  // at most that many segments per send
}

TEST(OutputQueue, SmallEventsAreCopiedInWithTheirNeighbours) {
  output_queue q;
  const event_ref e = event_with("EV");
  put(q, "ab");
  for (int i = 0; i < 100; ++i) q.append_event(e, 1);
  put(q, "cd");
  EXPECT_EQ(e->refs(), 1u);  // nobody holds it: its bytes were copied
  std::vector<iovec> iov;
  q.fill_iovecs(iov, 1024);
  EXPECT_EQ(iov.size(), 1u);
  std::string expected = "ab";
  for (int i = 0; i < 100; ++i) expected += "EV";
  EXPECT_EQ(pending(q), expected + "cd");
  q.append_event(event_with(large('L')), 1);  // a large one still gets its own segment
  q.fill_iovecs(iov, 1024);
  EXPECT_EQ(iov.size(), 2u);
  q.append_event(e, output_queue::copy_audience_max + 1);  // so does one many connections get
  q.fill_iovecs(iov, 1024);
  EXPECT_EQ(iov.size(), 3u);
  EXPECT_EQ(e->refs(), 2u);
}

TEST(OutputQueue, ALargeEventIsSharedNotCopied) {
  output_queue a;
  output_queue b;
  event_ref e = event_with(large('s'));
  a.append_event(e, 2);
  b.append_event(e, 2);
  EXPECT_EQ(e->refs(), 3u);
  std::vector<iovec> ia;
  std::vector<iovec> ib;
  a.fill_iovecs(ia, 8);
  b.fill_iovecs(ib, 8);
  EXPECT_EQ(ia[0].iov_base, ib[0].iov_base);  // the very same bytes
  event_release_batch released;
  a.consume(a.bytes(), released);
  EXPECT_EQ(e->refs(), 3u);  // sent: the queue let go of it, dropped at the batch's flush
  released.flush();
  EXPECT_EQ(e->refs(), 2u);
  b.clear();
  EXPECT_EQ(e->refs(), 1u);
}

// The bound counts bookkeeping: 1,000 shared events cost more than their bytes, and
// what is sent stops counting.
TEST(OutputQueue, FootprintChargesEachPendingSegment) {
  output_queue q;
  const event_ref e = event_with(large('x'));
  const std::size_t size = large('x').size();
  for (int i = 0; i < 1000; ++i) q.append_event(e, 1);
  EXPECT_EQ(q.bytes(), 1000 * size);
  event_release_batch released;
  EXPECT_GE(q.footprint(), 1000 * (size + 16));
  q.consume(500 * size, released);
  EXPECT_EQ(q.bytes(), 500 * size);
  EXPECT_GE(q.footprint(), 500 * (size + 16));
  EXPECT_LT(q.footprint(), 1000 * (size + 16));
  q.consume(500 * size, released);
  EXPECT_EQ(q.footprint(), 0u);
}

TEST(OutputQueue, PartialSendsResumeMidSegment) {
  output_queue q;
  put(q, "hello ");
  q.append_event(event_with("world"), 1);
  put(q, "!");
  event_release_batch released;
  q.consume(4, released);
  EXPECT_EQ(pending(q), "o world!");
  q.consume(3, released);
  EXPECT_EQ(pending(q), "orld!");
  EXPECT_EQ(q.bytes(), 5u);
  q.consume(5, released);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pending(q), "");
  put(q, "again");  // usable after draining
  EXPECT_EQ(pending(q), "again");
}

TEST(OutputQueue, SwapMovesEverything) {
  output_queue out;
  output_queue sending;
  put(out, "x");
  out.append_event(event_with("y"), 1);
  out.swap(sending);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(pending(sending), "xy");
  put(out, "z");  // new frames go to the other queue while one is in flight
  EXPECT_EQ(pending(sending), "xy");
  sending.reset(0);
  EXPECT_TRUE(sending.empty());
}

}  // namespace
}  // namespace sluice
