// A connection's output: frames and shared events in order, handed out as iovecs and
// consumed across partial sends.
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
  q.append_event(event_with("EV1"));
  put(q, "ef");
  q.append_event(event_with("EV2"));
  EXPECT_EQ(q.bytes(), 12u);
  std::vector<iovec> iov;
  q.fill_iovecs(iov, 1024);
  EXPECT_EQ(iov.size(), 4u);
  EXPECT_EQ(pending(q), "abcdEV1efEV2");
  EXPECT_EQ(pending(q, 2), "abcdEV1");  // at most that many segments per send
}

TEST(OutputQueue, AnEventIsSharedNotCopied) {
  output_queue a;
  output_queue b;
  event_ref e = event_with("shared");
  a.append_event(e);
  b.append_event(e);
  EXPECT_EQ(e->refs(), 3u);
  std::vector<iovec> ia;
  std::vector<iovec> ib;
  a.fill_iovecs(ia, 8);
  b.fill_iovecs(ib, 8);
  EXPECT_EQ(ia[0].iov_base, ib[0].iov_base);  // the very same bytes
  a.consume(a.bytes());
  EXPECT_EQ(e->refs(), 2u);  // sent: the queue lets go of it
  b.clear();
  EXPECT_EQ(e->refs(), 1u);
}

// The bound counts bookkeeping: 1,000 one-byte events cost far more than 1,000 bytes,
// and what is sent stops counting.
TEST(OutputQueue, FootprintChargesEachPendingSegment) {
  output_queue q;
  const event_ref e = event_with("x");
  for (int i = 0; i < 1000; ++i) q.append_event(e);
  EXPECT_EQ(q.bytes(), 1000u);
  EXPECT_GE(q.footprint(), 1000u * (1 + 16));
  q.consume(500);
  EXPECT_EQ(q.bytes(), 500u);
  EXPECT_GE(q.footprint(), 500u * (1 + 16));
  EXPECT_LT(q.footprint(), 1000u * (1 + 16));
  q.consume(500);
  EXPECT_EQ(q.footprint(), 0u);
}

TEST(OutputQueue, PartialSendsResumeMidSegment) {
  output_queue q;
  put(q, "hello ");
  q.append_event(event_with("world"));
  put(q, "!");
  q.consume(4);
  EXPECT_EQ(pending(q), "o world!");
  q.consume(3);
  EXPECT_EQ(pending(q), "orld!");
  EXPECT_EQ(q.bytes(), 5u);
  q.consume(5);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(pending(q), "");
  put(q, "again");  // usable after draining
  EXPECT_EQ(pending(q), "again");
}

TEST(OutputQueue, SwapMovesEverything) {
  output_queue out;
  output_queue sending;
  put(out, "x");
  out.append_event(event_with("y"));
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
