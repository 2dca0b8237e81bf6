// Sessions over real TCP on 127.0.0.1: open, ping, resume (also through another
// reactor), takeover, close, and the three timers (handshake, idle, resume window).
#include <gtest/gtest.h>

#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

TEST(Session, HelloOpensANewSessionWithARandomId) {
  running_server server(test_config());
  client a = server.connect();
  client b = server.connect();
  const hello_result ha = a.hello();
  const hello_result hb = b.hello();
  ASSERT_TRUE(ha.ok) << ha.message;
  ASSERT_TRUE(hb.ok) << hb.message;
  EXPECT_FALSE(ha.welcome.resumed);
  EXPECT_NE(ha.welcome.id, session_id{});
  EXPECT_NE(ha.welcome.id, hb.welcome.id);
  EXPECT_NE(ha.welcome.resume_token, hb.welcome.resume_token);
  EXPECT_NE(ha.welcome.resume_token, ha.welcome.id);
  EXPECT_EQ(ha.welcome.max_frame, server.get().config().max_frame);
  EXPECT_EQ(ha.welcome.idle_timeout_ms, server.get().config().sessions.idle_timeout_ns / ns_per_ms);
  EXPECT_TRUE(eventually([&] { return server.stats().sessions_active == 2; }));
}

TEST(Session, PingIsAnsweredWithTheSameNonceAndPayload) {
  running_server server(test_config());
  client c = server.connect();
  ASSERT_TRUE(c.hello().ok);
  const std::string payload(3000, 'x');
  ASSERT_TRUE(c.send_frame(proto::ping_frame{0xfeedbeef, payload}));
  const read_result r = c.read_frame(5s);
  ASSERT_EQ(r.status, read_status::frame);
  const auto* pong = std::get_if<proto::pong_frame>(&r.value);
  ASSERT_NE(pong, nullptr);
  EXPECT_EQ(pong->nonce, 0xfeedbeefu);
  EXPECT_EQ(pong->payload, payload);
}

TEST(Session, FramesPipelinedBehindHelloAreHandled) {
  // HELLO and two PINGs in one write: the PINGs arrive with the HELLO, before the
  // connection moves to the session's reactor, and must travel with it.
  running_server server(test_config(4));
  // At least 8 rounds, and on until one session was owned by another reactor than the
  // handshake's (each round: 3 in 4), so the carried bytes were exercised.
  for (int round = 0; round < 64 && (round < 8 || server.stats().handoffs_total == 0); ++round) {
    client c = server.connect();
    std::vector<std::byte> bytes;
    for (const proto::frame& f : {proto::frame{proto::hello_frame{}}, proto::frame{proto::ping_frame{1, "a"}},
                                  proto::frame{proto::ping_frame{2, "b"}}}) {
      const std::size_t at = bytes.size();
      bytes.resize(at + proto::encoded_size(f));
      proto::encode_frame(f, std::span<std::byte>(bytes).subspan(at));
    }
    ASSERT_TRUE(c.send_bytes(bytes));
    read_result r = c.read_frame(5s);
    ASSERT_EQ(r.status, read_status::frame);
    ASSERT_TRUE(std::holds_alternative<proto::welcome_frame>(r.value));
    for (std::uint64_t nonce : {1u, 2u}) {
      r = c.read_frame(5s);
      ASSERT_EQ(r.status, read_status::frame);
      const auto* pong = std::get_if<proto::pong_frame>(&r.value);
      ASSERT_NE(pong, nullptr);
      EXPECT_EQ(pong->nonce, nonce);
    }
  }
  EXPECT_GT(server.stats().handoffs_total, 0u);  // some sessions were owned by another reactor
}

TEST(Session, ResumeAfterDisconnectKeepsIdAndToken) {
  running_server server(test_config());
  const session_credentials credentials = open_then_drop(server);
  ASSERT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  client again = server.connect();
  const hello_result h = again.resume(credentials);
  ASSERT_TRUE(h.ok) << h.message;
  EXPECT_TRUE(h.welcome.resumed);
  EXPECT_EQ(h.welcome.id, credentials.id);
  EXPECT_EQ(h.welcome.resume_token, credentials.resume_token);
  const server_stats s = server.stats();
  EXPECT_EQ(s.sessions_active, 1);
  EXPECT_EQ(s.sessions_detached, 0);
  EXPECT_EQ(s.sessions_resumed_total, 1u);
}

TEST(Session, ResumeWorksWhicheverReactorAcceptsTheConnection) {
  // Four reactors: the kernel spreads accepts over all of them, and the session lives
  // on one. Every reconnect must reach it.
  running_server server(test_config(4));
  // A session owned by another reactor than the one running the handshake (which
  // owns the client's address): sessions landing there are closed and redrawn.
  session_credentials credentials;
  for (int attempt = 0; attempt < 64 && credentials.id == session_id{}; ++attempt) {
    client c = server.connect();
    const std::uint64_t handoffs_before = server.stats().handoffs_total;
    const hello_result h = c.hello();
    ASSERT_TRUE(h.ok) << h.message;
    if (server.stats().handoffs_total > handoffs_before) {
      credentials = h.credentials();
    } else {
      ASSERT_TRUE(c.send_frame(proto::close_frame{}));
      ASSERT_TRUE(c.wait_closed(5s));
    }
  }
  ASSERT_NE(credentials.id, session_id{});
  for (int round = 0; round < 24; ++round) {
    ASSERT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
    client c = server.connect();
    const hello_result h = c.resume(credentials);
    ASSERT_TRUE(h.ok) << h.message;
    ASSERT_TRUE(h.welcome.resumed) << "round " << round;
    ASSERT_TRUE(c.send_frame(proto::ping_frame{7, {}}));
    const read_result r = c.read_frame(5s);
    ASSERT_EQ(r.status, read_status::frame);
    ASSERT_TRUE(std::holds_alternative<proto::pong_frame>(r.value));
  }
  int reactors_that_accepted = 0;
  for (std::uint32_t i = 0; i < server.get().reactor_count(); ++i) {
    reactors_that_accepted += server.get().reactor_at(i).counters().accepted_total.load() > 0 ? 1 : 0;
  }
  EXPECT_GE(reactors_that_accepted, 2);  // 25+ accepts all on one of 4 reactors: odds 4^-24
  // The session's reactor is not the handshake's, so every resume was handed over.
  EXPECT_GE(server.stats().handoffs_total, 25u);
}

TEST(Session, ResumeWithAWrongTokenOpensANewSession) {
  running_server server(test_config());
  const session_credentials credentials = open_then_drop(server);
  ASSERT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  session_credentials forged = credentials;
  forged.resume_token.lo ^= 1;
  client c = server.connect();
  const hello_result h = c.resume(forged);
  ASSERT_TRUE(h.ok);
  EXPECT_FALSE(h.welcome.resumed);
  EXPECT_NE(h.welcome.id, credentials.id);
  EXPECT_EQ(server.stats().resume_rejected_total, 1u);
  EXPECT_EQ(server.stats().sessions_detached, 1);  // the real session is untouched
}

TEST(Session, ResumeWhileStillAttachedTakesTheSessionOver) {
  running_server server(test_config());
  client first = server.connect();
  const hello_result h = first.hello();
  ASSERT_TRUE(h.ok);
  client second = server.connect();
  const hello_result again = second.resume(h.credentials());
  ASSERT_TRUE(again.ok);
  EXPECT_TRUE(again.welcome.resumed);
  const read_result r = first.read_frame(5s);
  ASSERT_EQ(r.status, read_status::frame);
  const auto* close = std::get_if<proto::close_frame>(&r.value);
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->code, proto::error_code::session_taken_over);
  EXPECT_TRUE(first.wait_closed(5s));
  EXPECT_EQ(server.stats().sessions_active, 1);
  EXPECT_EQ(server.stats().takeovers_total, 1u);
}

TEST(Session, CloseEndsTheSessionForGood) {
  running_server server(test_config());
  client c = server.connect();
  const hello_result h = c.hello();
  ASSERT_TRUE(h.ok);
  ASSERT_TRUE(c.send_frame(proto::close_frame{}));
  const read_result r = c.read_frame(5s);
  ASSERT_EQ(r.status, read_status::frame);
  ASSERT_TRUE(std::holds_alternative<proto::close_frame>(r.value));
  EXPECT_TRUE(c.wait_closed(5s));
  EXPECT_TRUE(eventually([&] { return server.stats().sessions_closed_total == 1; }));
  EXPECT_EQ(server.stats().sessions_active + server.stats().sessions_detached, 0);
  client again = server.connect();
  const hello_result resumed = again.resume(h.credentials());
  ASSERT_TRUE(resumed.ok);
  EXPECT_FALSE(resumed.welcome.resumed);
}

TEST(Session, NoHelloInTimeIsAHandshakeTimeout) {
  server_config config = test_config();
  config.sessions.handshake_timeout_ns = 200 * ns_per_ms;
  running_server server(config);
  client c = server.connect();
  const auto started = std::chrono::steady_clock::now();
  expect_error_then_close(c, proto::error_code::handshake_timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);  // never early
  EXPECT_EQ(server.stats().sessions_opened_total, 0u);
}

TEST(Session, SilenceGetsAPingAndAnsweringKeepsTheSession) {
  server_config config = test_config();
  config.sessions.idle_timeout_ns = 100 * ns_per_ms;
  config.sessions.ping_timeout_ns = 300 * ns_per_ms;
  running_server server(config);
  client c = server.connect();
  ASSERT_TRUE(c.hello().ok);
  for (int round = 0; round < 3; ++round) {
    const read_result r = c.read_frame(5s);
    ASSERT_EQ(r.status, read_status::frame);
    const auto* ping = std::get_if<proto::ping_frame>(&r.value);
    ASSERT_NE(ping, nullptr) << "round " << round;
    ASSERT_TRUE(c.send_frame(proto::pong_frame{ping->nonce, ping->payload}));
  }
  EXPECT_EQ(server.stats().sessions_active, 1);
  EXPECT_EQ(server.stats().idle_timeouts_total, 0u);
  // Now stay silent: PING, then ERROR idle_timeout and a close; the session waits detached.
  read_result r = c.read_frame(5s);
  ASSERT_EQ(r.status, read_status::frame);
  ASSERT_TRUE(std::holds_alternative<proto::ping_frame>(r.value));
  expect_error_then_close(c, proto::error_code::idle_timeout);
  EXPECT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  EXPECT_EQ(server.stats().idle_timeouts_total, 1u);
}

TEST(Session, ADetachedSessionExpiresAfterTheResumeWindow) {
  server_config config = test_config();
  config.sessions.resume_window_ns = 200 * ns_per_ms;
  running_server server(config);
  const session_credentials credentials = open_then_drop(server);
  ASSERT_TRUE(eventually([&] { return server.stats().sessions_expired_total == 1; }));
  EXPECT_EQ(server.stats().sessions_detached, 0);
  client c = server.connect();
  const hello_result h = c.resume(credentials);
  ASSERT_TRUE(h.ok);
  EXPECT_FALSE(h.welcome.resumed);  // plainly a new session
  EXPECT_NE(h.welcome.id, credentials.id);
}

}  // namespace
}  // namespace sluice::test
