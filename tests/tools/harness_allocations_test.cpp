// The harness allocates nothing per message (issue 5: "no allocation per message"):
// every operator new of this test binary is counted while the harness measures, on all
// of its threads, and a run of many thousand deliveries against a real sluiced may make
// only the few allocations that do not grow with them. The Redis and NATS parsers,
// whose servers the tests do not start, are counted on their own.
//
// Its own binary, since it replaces the global operator new for everything linked in.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <span>
#include <string>

#include "engine/protocol/encoder.hpp"
#include "tests/net/support/process.hpp"
#include "tests/tools/running_sluiced.hpp"
#include "tools/load/pubsub_run.hpp"

namespace {

std::atomic<bool> counting{false};
std::atomic<std::uint64_t> counted{0};

void* allocate(std::size_t size, std::size_t alignment) noexcept {
  if (counting.load(std::memory_order_relaxed)) counted.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  if (alignment <= alignof(std::max_align_t)) return std::malloc(size);
  if (size > SIZE_MAX - alignment) return nullptr;
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

void* allocate_or_throw(std::size_t size, std::size_t alignment) {
  void* p = allocate(size, alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Not inlined into the operators below, where GCC would take a free() of what operator
// new returned for a mismatch.
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }

constexpr std::size_t plain = 0;

}  // namespace

// Every form, since the allocator loaded first (mimalloc, or a sanitizer's) exports its
// own array and nothrow forms, which would neither be counted nor pair with these deletes.
void* operator new(std::size_t size) { return allocate_or_throw(size, plain); }
void* operator new[](std::size_t size) { return allocate_or_throw(size, plain); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, plain); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, plain); }
void* operator new(std::size_t size, std::align_val_t a) { return allocate_or_throw(size, std::size_t(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return allocate_or_throw(size, std::size_t(a)); }
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(size, std::size_t(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(size, std::size_t(a));
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }

namespace sluice::test {
namespace {

struct measured_run {
  load::pubsub_result result;
  std::uint64_t allocations = 0;
};

measured_run run_counting(load::run_options o) {
  o.seconds = 1;
  o.warmup_ms = 300;
  measured_run m;
  m.result = load::run_pubsub(
      o, [](bool measuring) { counting.store(measuring, std::memory_order_relaxed); },
      [](const load::pubsub_progress&) {});
  counting.store(false, std::memory_order_relaxed);
  m.allocations = counted.exchange(0, std::memory_order_relaxed);
  return m;
}

class HarnessAllocations : public ::testing::Test {
 protected:
  load::run_options options() const {
    load::run_options o;
    o.target = load::target_kind::sluice;
    o.to.port = static_cast<std::uint16_t>(std::stoi(server_.port()));
    return o;
  }

  // Thousands of deliveries, no errors, and at most a few allocations: a buffer that
  // grows past what the warm-up needed (an open loop behind schedule sends up to 1,024
  // messages at once). One per message would count in thousands.
  static void expect_no_allocation_per_message(const measured_run& m) {
    EXPECT_TRUE(m.result.connect_error.empty()) << m.result.connect_error;
    EXPECT_EQ(m.result.errors, 0U) << m.result.first_error;
    ASSERT_GE(m.result.delivered, 5'000U);
    EXPECT_LE(m.allocations, 32U) << m.allocations << " allocations for " << m.result.delivered << " deliveries";
  }

  scratch_dir dir_;
  running_sluiced server_{dir_, load_config};
};

TEST_F(HarnessAllocations, FanOutOfSmallMessages) {
  load::run_options o = options();
  o.subscribers = 20;
  o.payload = 64;
  o.window = 16;
  expect_no_allocation_per_message(run_counting(o));
}

// Server writes beyond a 32 KiB receive buffer: messages cut between two buffers.
TEST_F(HarnessAllocations, FanOutOfMessagesCutBetweenReceiveBuffers) {
  load::run_options o = options();
  o.subscribers = 20;
  o.payload = 1000;
  o.window = 256;
  expect_no_allocation_per_message(run_counting(o));
}

TEST_F(HarnessAllocations, PairsOnTwoThreads) {
  load::run_options o = options();
  o.pairs = 10;
  o.window = 16;
  o.threads = 2;
  expect_no_allocation_per_message(run_counting(o));
}

TEST_F(HarnessAllocations, OpenLoopAtAFixedRate) {
  load::run_options o = options();
  o.subscribers = 10;
  o.rate = 5000;
  expect_no_allocation_per_message(run_counting(o));
}

// What each server sends a subscriber for `count` deliveries of `payload` on topic "t1".
std::string deliveries_as_sent(load::target_kind kind, int count, const std::string& payload) {
  std::string out;
  for (int i = 1; i <= count; ++i) {
    if (kind == load::target_kind::redis) {
      out += "*3\r\n$7\r\nmessage\r\n$2\r\nt1\r\n$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
    } else if (kind == load::target_kind::nats) {
      out += "MSG t1 1 " + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
    } else {
      const proto::frame f =
          proto::event_frame{.seq = static_cast<std::uint64_t>(i), .topic = "t1", .payload = payload};
      const std::size_t at = out.size();
      out.resize(at + proto::encoded_size(f));
      (void)proto::encode_frame(f, std::as_writable_bytes(std::span<char>(out.data() + at, out.size() - at)));
    }
  }
  return out;
}

struct counting_sink final : load::delivery_sink {
  std::uint64_t deliveries = 0;
  void on_delivery(std::string_view, std::string_view) override { ++deliveries; }
};

TEST(HarnessParserAllocations, NoProtocolAllocatesPerDelivery) {
  const std::string payload(200, 'p');
  for (const load::target_kind kind : {load::target_kind::sluice, load::target_kind::redis, load::target_kind::nats}) {
    const std::unique_ptr<load::protocol> proto = load::make_protocol(kind);
    const std::string stream = deliveries_as_sent(kind, 10'000, payload);
    counting_sink sink;
    std::string reply;
    std::string error;
    counting.store(true, std::memory_order_relaxed);
    const std::size_t used = proto->parse(stream, sink, reply, error);
    counting.store(false, std::memory_order_relaxed);
    const std::uint64_t allocations = counted.exchange(0, std::memory_order_relaxed);
    EXPECT_EQ(error, "") << load::target_name(kind);
    EXPECT_EQ(used, stream.size()) << load::target_name(kind);
    EXPECT_EQ(sink.deliveries, 10'000U) << load::target_name(kind);
    EXPECT_EQ(allocations, 0U) << load::target_name(kind);
  }
}

}  // namespace
}  // namespace sluice::test
