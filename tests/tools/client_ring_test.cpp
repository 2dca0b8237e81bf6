// The harness's io_uring on real sockets: every byte received arrives once and in order,
// also when the provided buffers run out and receives must be re-armed; a peer's close
// is reported once; queued sends go out whole and in order, within their bound, and a
// send that fails is reported; what is queued between two polls goes out as one send;
// a doorbell rung from another thread ends a wait; a ring told to drain hands over
// every receive that became ready in one poll; a ring told to give arrival times
// gives the kernel's time of arrival, not of the read, and still every byte and the
// close; a send waiting in the kernel for room goes out as queued while more sockets
// are watched.
#include "tools/load/client_ring.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/tools/test_sockets.hpp"

namespace sluice::load {
namespace {

using namespace std::chrono_literals;

using test::socket_pair;

std::string pattern(std::size_t length, char seed) {
  std::string s(length, '\0');
  for (std::size_t i = 0; i < length; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i % 23));
  return s;
}

struct received {
  std::array<std::string, 2> bytes;
  std::array<int, 2> ends{0, 0};
  std::array<int, 2> end_result{1, 1};  // the last one reported
  std::array<std::vector<int>, 2> end_results;
};

void poll_once(client_ring& ring, received& r, std::chrono::milliseconds timeout) {
  ring.poll(
      timeout, [&](std::uint32_t index, std::string_view bytes) { r.bytes.at(index).append(bytes); },
      [&](std::uint32_t index, int result) {
        ++r.ends.at(index);
        r.end_result.at(index) = result;
        r.end_results.at(index).push_back(result);
      });
}

// Polls until `done` holds; each poll waits at most 100 ms, 100 polls at most.
template <class done_fn>
void poll_until(client_ring& ring, received& r, done_fn&& done) {
  for (int i = 0; i < 100 && !done(); ++i) poll_once(ring, r, 100ms);
}

// Polls until the ring reports its doorbell; each poll waits at most 100 ms, 100 polls at most.
bool poll_until_doorbell(client_ring& ring, received& r) {
  for (int i = 0; i < 100; ++i) {
    poll_once(ring, r, 100ms);
    if (ring.take_doorbell()) return true;
  }
  return false;
}

// A ring with eight 4 KiB receive buffers, watching one end of a socket pair as 0.
class ClientRing : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(ring.open(8, 4096), "");
    ring.watch(0, a.fd[0]);
  }
  socket_pair a;
  client_ring ring;
};

TEST_F(ClientRing, BytesOfTwoSocketsArriveWholeAndInOrder) {
  socket_pair b;
  ring.watch(1, b.fd[0]);
  const std::string to_a = pattern(10'000, 'a');
  const std::string to_b = pattern(3, 'k');
  a.send(to_a);
  b.send(to_b);
  received r;
  poll_until(ring, r, [&] { return r.bytes[0].size() >= to_a.size() && r.bytes[1].size() >= to_b.size(); });
  EXPECT_EQ(r.bytes[0], to_a);
  EXPECT_EQ(r.bytes[1], to_b);
  EXPECT_EQ(r.ends[0] + r.ends[1], 0);
}

// Two 64-byte buffers for 2,000 bytes: the kernel runs out of buffers again and again;
// each time the receive is armed anew and nothing is lost or reordered.
TEST_F(ClientRing, RunningOutOfBuffersLosesNothing) {
  client_ring small;
  ASSERT_EQ(small.open(2, 64), "");
  socket_pair s;
  small.watch(0, s.fd[0]);
  const std::string sent = pattern(2'000, 'A');
  s.send(sent);
  received r;
  poll_until(small, r, [&] { return r.bytes[0].size() >= sent.size(); });
  EXPECT_EQ(r.bytes[0], sent);
  EXPECT_GT(small.exhausted_total(), 0u);
  EXPECT_EQ(r.ends[0], 0);
}

TEST_F(ClientRing, PeerCloseIsReportedOnceAfterTheLastBytes) {
  a.send("last words");
  ::close(a.fd[1]);
  a.fd[1] = -1;
  received r;
  poll_until(ring, r, [&] { return r.ends[0] > 0; });
  EXPECT_EQ(r.bytes[0], "last words");
  EXPECT_EQ(r.ends[0], 1);
  EXPECT_EQ(r.end_result[0], 0);
  // Nothing more is reported for it.
  for (int i = 0; i < 3; ++i) poll_once(ring, r, 10ms);
  EXPECT_EQ(r.ends[0], 1);
}

// Reads `count` bytes from `fd` while polling the ring, which is sending them.
std::string read_while_sending(client_ring& ring, received& r, int fd, std::size_t count) {
  std::string got;
  std::array<char, 65536> buffer{};
  for (int i = 0; i < 1000 && got.size() < count; ++i) {
    poll_once(ring, r, 1ms);
    for (;;) {
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      got.append(buffer.data(), static_cast<std::size_t>(n));
    }
  }
  return got;
}

// Three sends of 1 MB each, more than a socket buffer holds: the first is in flight
// (and goes out in parts) while the others wait behind it.
TEST_F(ClientRing, QueuedSendsGoOutWholeAndInOrder) {
  std::string sent;
  for (const char seed : {'a', 'n', 'A'}) {
    const std::string part = pattern(1'000'000, seed);
    ASSERT_TRUE(ring.send(0, part));
    sent += part;
  }
  EXPECT_EQ(ring.queued_bytes(0), sent.size());
  received r;
  const std::string got = read_while_sending(ring, r, a.fd[1], sent.size());
  EXPECT_TRUE(got == sent) << "received " << got.size() << " of " << sent.size() << " bytes, or out of order";
  EXPECT_EQ(ring.queued_bytes(0), 0u);
  EXPECT_EQ(r.ends[0], 0);
}

// A short send (its bytes inside the ring's record of the socket) waits in the kernel
// for room while more sockets are watched, which grows that record: the bytes that go
// out when room comes are still the ones queued.
TEST_F(ClientRing, ASendWaitingForRoomSurvivesMoreSockets) {
  std::string filler;
  const std::string chunk(4096, 'f');
  for (int i = 0; i < 10'000; ++i) {
    const ssize_t n = ::send(a.fd[0], chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (n <= 0) break;
    filler.append(chunk, 0, static_cast<std::size_t>(n));
  }
  ASSERT_FALSE(filler.empty());
  const std::string last = "*1\r\n$4\r\nPING\r\n";
  ASSERT_TRUE(ring.send(0, last));
  received r;
  poll_once(ring, r, 1ms);  // submits it; the socket has no room
  ASSERT_EQ(ring.queued_bytes(0), last.size());
  std::vector<std::unique_ptr<socket_pair>> more;
  for (std::uint32_t i = 1; i <= 64; ++i) {
    more.push_back(std::make_unique<socket_pair>());
    ring.watch(i, more.back()->fd[0]);
  }
  // Whatever that growth freed is handed out again and written over, as in a busy process.
  std::vector<std::unique_ptr<char[]>> reused;
  for (std::size_t size = 64; size <= 160; size += 8) {
    for (int k = 0; k < 4096; ++k) {
      reused.push_back(std::make_unique_for_overwrite<char[]>(size));
      std::memset(reused.back().get(), 'X', size);
    }
  }
  const std::string got = read_while_sending(ring, r, a.fd[1], filler.size() + last.size());
  ASSERT_EQ(got.size(), filler.size() + last.size());
  EXPECT_EQ(got.substr(filler.size()), last);
  EXPECT_EQ(ring.queued_bytes(0), 0u);
}

TEST_F(ClientRing, SendBeyondTheQueueBoundIsRefused) {
  ASSERT_TRUE(ring.send(0, "first"));
  const std::string too_much(client_ring::send_queue_max, 'x');
  EXPECT_FALSE(ring.send(0, too_much));
  EXPECT_EQ(ring.queued_bytes(0), 5u);
  received r;
  EXPECT_EQ(read_while_sending(ring, r, a.fd[1], 5), "first");
}

TEST_F(ClientRing, FailedSendIsReported) {
  ::close(a.fd[1]);
  a.fd[1] = -1;
  ASSERT_TRUE(ring.send(0, "to nobody"));
  received r;
  // The receive may also report the close (0), before or after the failed send.
  const auto failed = [&] { return std::ranges::count(r.end_results[0], -EPIPE); };
  poll_until(ring, r, [&] { return failed() > 0; });
  EXPECT_EQ(failed(), 1);
  EXPECT_EQ(ring.queued_bytes(0), 0u);
}

// A sequenced-packet socket keeps each send a record of its own, so the records show
// how the queued bytes were sent: both pieces queued before a poll in one send.
TEST_F(ClientRing, WhatIsQueuedBeforeAPollGoesOutAsOneSend) {
  client_ring packets;
  ASSERT_EQ(packets.open(8, 4096), "");
  socket_pair s(SOCK_SEQPACKET);
  packets.watch(0, s.fd[0]);
  ASSERT_TRUE(packets.send(0, "first "));
  ASSERT_TRUE(packets.send(0, "second"));
  received r;
  poll_once(packets, r, 10ms);
  std::array<char, 64> record{};
  const ssize_t n = ::recv(s.fd[1], record.data(), record.size(), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(record.data(), static_cast<std::size_t>(n)), "first second");
}

TEST_F(ClientRing, DoorbellRungFromAnotherThreadEndsTheWait) {
  doorbell bell;
  ASSERT_EQ(bell.open(), "");
  ring.watch_doorbell(bell);
  std::thread ringer([&bell] { bell.ring(); });
  received r;
  const bool rang = poll_until_doorbell(ring, r);
  ringer.join();
  ASSERT_TRUE(rang);
  EXPECT_EQ(ring.doorbell_error(), 0);
  bell.answer();
  // The read is armed again: a second ring is seen too.
  bell.ring();
  EXPECT_TRUE(poll_until_doorbell(ring, r));
}

// Rings before the owner answers coalesce into one wake-up (one write to the eventfd).
TEST_F(ClientRing, DoorbellRingsBeforeAnAnswerWakeOnce) {
  doorbell bell;
  ASSERT_EQ(bell.open(), "");
  ring.watch_doorbell(bell);
  bell.ring();
  bell.ring();
  received r;
  ASSERT_TRUE(poll_until_doorbell(ring, r));
  bell.answer();
  poll_once(ring, r, 20ms);
  EXPECT_FALSE(ring.take_doorbell());
}

// 64 receives become ready while the ring is not waiting. With DEFER_TASKRUN a wait for
// one completion runs at most 20 of them (a kernel bound); drained first, one poll hands
// over all 64. (Checked: without drain_before_wait this poll hands over 20.)
TEST(ClientRingDrain, OnePollHandsOverEveryReadyReceive) {
  constexpr std::uint32_t sockets = 64;
  client_ring ring;
  ASSERT_EQ(ring.open(128, 256), "");
  ring.drain_before_wait(256);
  std::vector<std::unique_ptr<socket_pair>> pairs;
  for (std::uint32_t i = 0; i < sockets; ++i) {
    pairs.push_back(std::make_unique<socket_pair>());
    ring.watch(i, pairs.back()->fd[0]);
  }
  std::vector<std::string> bytes(sockets);
  int ends = 0;
  const auto on_data = [&](std::uint32_t index, std::string_view b) { bytes.at(index).append(b); };
  const auto on_end = [&](std::uint32_t, int) { ++ends; };
  ring.poll(0ms, on_data, on_end);  // arms the receives; nothing is there to read yet
  for (std::uint32_t i = 0; i < sockets; ++i) pairs[i]->send(std::string(1, static_cast<char>('a' + i % 26)));
  ring.poll(1s, on_data, on_end);
  for (std::uint32_t i = 0; i < sockets; ++i) EXPECT_EQ(bytes[i], std::string(1, static_cast<char>('a' + i % 26))) << i;
  EXPECT_EQ(ends, 0);
}

// A connected TCP pair on 127.0.0.1 (arrival times are the TCP receive path's).
struct tcp_pair {
  std::array<int, 2> fd{-1, -1};  // [0] the accepted end, [1] the connecting one
  tcp_pair() {
    const test::loopback_socket listener = test::bind_loopback();
    EXPECT_EQ(::listen(listener.fd, 1), 0);
    fd[1] = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::connect(fd[1], listener.name(), sizeof listener.address), 0);
    fd[0] = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
    EXPECT_GE(fd[0], 0);
    ::close(listener.fd);
  }
  ~tcp_pair() {
    for (const int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  tcp_pair(const tcp_pair&) = delete;
  tcp_pair& operator=(const tcp_pair&) = delete;
};

std::uint64_t realtime_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000U + static_cast<std::uint64_t>(now.tv_nsec);
}

// The kernel turns receive timestamps on for the whole system a moment after the first
// socket asks (deferred work); until then chunks come without a time. Sends a byte and
// reads it until one comes with a time: 200 tries at most, 10 ms apart.
bool await_arrival_times(client_ring& ring, const tcp_pair& pair) {
  for (int i = 0; i < 200; ++i) {
    if (i > 0) std::this_thread::sleep_for(10ms);  // the deferred work has no event to wait on
    if (::send(pair.fd[1], "p", 1, 0) != 1) return false;
    bool timed = false;
    std::size_t bytes = 0;
    for (int j = 0; j < 100 && bytes == 0; ++j) {
      ring.poll(
          10ms,
          [&](std::uint32_t, std::string_view b) {
            bytes += b.size();
            timed = timed || ring.arrival_realtime_ns() != 0;
          },
          [](std::uint32_t, int) {});
    }
    if (timed) return true;
  }
  return false;
}

// A ring with arrival times watching the accepted end of a TCP pair as 0, once the
// kernel stamps.
class ClientRingArrival : public ::testing::Test {
 protected:
  [[nodiscard]] bool start(std::uint32_t buffer_count, std::uint32_t buffer_size) {
    if (!ring.open(buffer_count, buffer_size).empty()) return false;
    ring.receive_arrival_times();
    ring.watch(0, pair.fd[0]);
    return await_arrival_times(ring, pair);
  }
  tcp_pair pair;
  client_ring ring;
};

// The bytes sit in the socket for 20 ms before the ring reads them: the time given is
// from before that wait, not from the read.
TEST_F(ClientRingArrival, TheTimeGivenIsTheArrivalNotTheRead) {
  ASSERT_TRUE(start(8, 4096));
  received r;
  const std::uint64_t before_send = realtime_ns();
  ASSERT_EQ(::send(pair.fd[1], "hello", 5, 0), 5);
  pollfd readable{pair.fd[0], POLLIN, 0};
  ASSERT_EQ(::poll(&readable, 1, 1000), 1);  // the bytes are in the socket
  const std::uint64_t arrived_by = realtime_ns();
  std::this_thread::sleep_for(20ms);  // the delay to tell arrival from read, not a wait for a condition
  std::vector<std::uint64_t> arrivals;
  std::uint64_t read_at = 0;
  for (int i = 0; i < 100 && r.bytes[0].size() < 5; ++i) {
    ring.poll(
        100ms,
        [&](std::uint32_t, std::string_view bytes) {
          r.bytes[0].append(bytes);
          arrivals.push_back(ring.arrival_realtime_ns());
          read_at = realtime_ns();
        },
        [&](std::uint32_t, int) { ++r.ends[0]; });
  }
  EXPECT_EQ(r.bytes[0], "hello");
  ASSERT_EQ(arrivals.size(), 1u);
  EXPECT_GE(arrivals[0], before_send);
  EXPECT_LE(arrivals[0], arrived_by);
  EXPECT_GE(read_at, arrivals[0] + 20'000'000U);
  EXPECT_EQ(r.ends[0], 0);
}

// Through recvmsg and small buffers (each also holds the message header and the time):
// every byte once and in order, a time for each chunk, and the close reported once.
TEST_F(ClientRingArrival, EveryByteAndTheCloseStillArrive) {
  ASSERT_TRUE(start(4, 256));
  const std::string sent = pattern(20'000, 'q');
  ASSERT_EQ(::send(pair.fd[1], sent.data(), sent.size(), 0), static_cast<ssize_t>(sent.size()));
  ::shutdown(pair.fd[1], SHUT_WR);
  received r;
  std::size_t chunks = 0;
  std::size_t without_time = 0;
  for (int i = 0; i < 200 && r.ends[0] == 0; ++i) {
    ring.poll(
        100ms,
        [&](std::uint32_t, std::string_view bytes) {
          r.bytes[0].append(bytes);
          ++chunks;
          if (ring.arrival_realtime_ns() == 0) ++without_time;
        },
        [&](std::uint32_t, int result) {
          ++r.ends[0];
          r.end_result[0] = result;
        });
  }
  EXPECT_EQ(r.bytes[0], sent);
  EXPECT_GT(chunks, 1u);
  EXPECT_EQ(without_time, 0u);
  EXPECT_EQ(r.ends[0], 1);
  EXPECT_EQ(r.end_result[0], 0);
}

}  // namespace
}  // namespace sluice::load
