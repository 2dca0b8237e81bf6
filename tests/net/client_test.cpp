// The client library's reconnection: backoff bounds and jitter, and reconnect() resuming
// a session across a dropped connection.
#include <gtest/gtest.h>

#include <set>

#include "tests/net/support/test_server.hpp"
#include "tests/support/seed.hpp"

namespace sluice::test {
namespace {

TEST(Backoff, DelaysStayWithinTheGrowingCapAndAreSpread) {
  const backoff_policy policy{.base = 10ms, .max = 1000ms};
  std::mt19937_64 rng(test_seed("Backoff"));
  for (std::uint32_t attempt = 0; attempt < 40; ++attempt) {
    const long long cap = std::min<long long>(1000, 10LL << std::min<std::uint32_t>(attempt, 30));
    std::set<long long> seen;
    for (int draw = 0; draw < 200; ++draw) {
      const auto d = backoff_delay(policy, attempt, rng).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap) << "attempt " << attempt;
      seen.insert(d);
    }
    // Full jitter: draws cover the range instead of sitting at the cap.
    EXPECT_GT(seen.size(), std::min<std::size_t>(static_cast<std::size_t>(cap) / 2, 50)) << "attempt " << attempt;
  }
}

TEST(Reconnect, ResumesTheSessionAfterTheConnectionDrops) {
  running_server server(test_config());
  client c;
  hello_result first = reconnect(c, "127.0.0.1", server.port(), {}, backoff_policy{}, 3);
  ASSERT_TRUE(first.ok) << first.message;
  EXPECT_FALSE(first.welcome.resumed);
  c.disconnect();
  ASSERT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  const hello_result again = reconnect(c, "127.0.0.1", server.port(), first.credentials(), backoff_policy{}, 3);
  ASSERT_TRUE(again.ok) << again.message;
  EXPECT_TRUE(again.welcome.resumed);
  EXPECT_EQ(again.welcome.id, first.welcome.id);
}

TEST(Reconnect, GivesUpAfterItsAttemptsWhenNobodyListens) {
  std::uint16_t port = 0;
  {
    running_server server(test_config(1));
    port = server.port();
  }  // stopped: the port is closed now
  client c;
  const backoff_policy fast{.base = 1ms, .max = 5ms};
  const hello_result r = reconnect(c, "127.0.0.1", port, {}, fast, 3);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("connect"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace sluice::test
