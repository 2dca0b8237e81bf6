// The harness's receive ring on real sockets: every byte arrives once and in order, also
// when the provided buffers run out and receives must be re-armed, and a peer's close
// is reported once.
#include "tools/load/recv_ring.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>

namespace sluice::load {
namespace {

using namespace std::chrono_literals;

struct socket_pair {
  std::array<int, 2> fd{-1, -1};
  socket_pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd.data()), 0); }
  ~socket_pair() {
    for (const int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  void send(const std::string& bytes) const {
    ASSERT_EQ(::send(fd[1], bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
};

std::string pattern(std::size_t length, char seed) {
  std::string s(length, '\0');
  for (std::size_t i = 0; i < length; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i % 23));
  return s;
}

struct received {
  std::array<std::string, 2> bytes;
  std::array<int, 2> ends{0, 0};
  std::array<int, 2> end_result{1, 1};
};

void poll_once(recv_ring& ring, received& r, std::chrono::milliseconds timeout) {
  ring.poll(
      timeout, [&](std::uint32_t index, std::string_view bytes) { r.bytes.at(index).append(bytes); },
      [&](std::uint32_t index, int result) {
        ++r.ends.at(index);
        r.end_result.at(index) = result;
      });
}

// Polls until `done` holds; each poll waits at most 100 ms, 100 polls at most.
template <class done_fn>
void poll_until(recv_ring& ring, received& r, done_fn&& done) {
  for (int i = 0; i < 100 && !done(); ++i) poll_once(ring, r, 100ms);
}

TEST(RecvRing, BytesOfTwoSocketsArriveWholeAndInOrder) {
  recv_ring ring;
  ASSERT_EQ(ring.open(8, 4096), "");
  socket_pair a;
  socket_pair b;
  ring.watch(0, a.fd[0]);
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
TEST(RecvRing, RunningOutOfBuffersLosesNothing) {
  recv_ring ring;
  ASSERT_EQ(ring.open(2, 64), "");
  socket_pair a;
  ring.watch(0, a.fd[0]);
  const std::string sent = pattern(2'000, 'A');
  a.send(sent);
  received r;
  poll_until(ring, r, [&] { return r.bytes[0].size() >= sent.size(); });
  EXPECT_EQ(r.bytes[0], sent);
  EXPECT_GT(ring.exhausted_total(), 0u);
  EXPECT_EQ(r.ends[0], 0);
}

TEST(RecvRing, PeerCloseIsReportedOnceAfterTheLastBytes) {
  recv_ring ring;
  ASSERT_EQ(ring.open(8, 4096), "");
  socket_pair a;
  ring.watch(0, a.fd[0]);
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

}  // namespace
}  // namespace sluice::load
