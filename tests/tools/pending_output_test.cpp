// What waits to be sent on a non-blocking socket: a send the socket has no room for
// returns at once and keeps the rest; flushing while the peer reads delivers every byte
// once and in order; more than the bound is refused with nothing queued; a peer that is
// gone is an error.
#include "tools/load/pending_output.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>

#include "tests/tools/test_sockets.hpp"

namespace sluice::load {
namespace {

using test::socket_pair;

std::string pattern(std::size_t length) {
  std::string s(length, '\0');
  for (std::size_t i = 0; i < length; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Reads what is there without waiting.
std::string drain(int fd) {
  std::string got;
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n <= 0) return got;
    got.append(buffer.data(), static_cast<std::size_t>(n));
  }
}

TEST(PendingOutput, WhatTheSocketCannotTakeWaitsAndGoesOutInOrder) {
  socket_pair s;
  pending_output out;
  // Three times more than a socket pair holds: the sends return at once.
  const std::string first = pattern(3'000'000);
  const std::string second = "and then this";
  const auto before = std::chrono::steady_clock::now();
  ASSERT_EQ(out.send(s.fd[0], first), "");
  ASSERT_EQ(out.send(s.fd[0], second), "");
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
  EXPECT_GT(out.waiting(), 0u);
  std::string got;
  for (int i = 0; i < 10'000 && (out.waiting() > 0 || got.size() < first.size() + second.size()); ++i) {
    got += drain(s.fd[1]);
    ASSERT_EQ(out.flush(s.fd[0]), "");
  }
  got += drain(s.fd[1]);
  EXPECT_EQ(out.waiting(), 0u);
  EXPECT_TRUE(got == first + second) << "received " << got.size() << " bytes, or out of order";
}

TEST(PendingOutput, MoreThanTheBoundIsRefusedWithNothingQueued) {
  socket_pair s;
  pending_output out;
  ASSERT_EQ(out.send(s.fd[0], pattern(pending_output::max_bytes / 2)), "");
  const std::size_t waiting = out.waiting();
  ASSERT_GT(waiting, 0u);
  EXPECT_EQ(out.send(s.fd[0], std::string(pending_output::max_bytes, 'x')),
            "more than 64 MiB waiting to be sent on one connection");
  EXPECT_EQ(out.waiting(), waiting);
}

TEST(PendingOutput, APeerThatIsGoneIsAnError) {
  socket_pair s;
  ::close(s.fd[1]);
  s.fd[1] = -1;
  pending_output out;
  EXPECT_EQ(out.send(s.fd[0], "to nobody"), "send: Broken pipe");
}

}  // namespace
}  // namespace sluice::load
