// The load harness against a real sluiced, briefly: clean runs of every workload report
// zero errors and real work done, and runs the server refuses (its publish rate limit,
// its per-source connection limit) are reported as errors with exit code 1, so the
// harness's checks can fail; a storm's bound on connections opening at once holds
// however many threads share it, and its connections answer the server's PINGs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/net/support/process.hpp"
#include "tests/tools/running_sluiced.hpp"
#include "tests/tools/test_sockets.hpp"
#include "tools/load/result_json.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using load::json_number_field;

TEST(SluiceLoad, FanOutAndPairsRunCleanAgainstSluiced) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  ASSERT_NE(server.port(), "0");
  // The third shape's messages are larger than a receive buffer (32 KiB), so each one
  // arrives in pieces that the harness must put back together.
  for (const std::vector<std::string>& shape :
       {std::vector<std::string>{"--subscribers", "20", "--window", "16"},
        std::vector<std::string>{"--pairs", "10", "--window", "64"},
        std::vector<std::string>{"--subscribers", "3", "--payload", "40000", "--window", "4"}}) {
    std::vector<std::string> args{"--target", "sluice", "--port", server.port(), "--seconds", "1"};
    args.insert(args.end(), shape.begin(), shape.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("\"errors\":0,"), std::string::npos) << r.output;
    EXPECT_GT(json_number_field(r.output, "delivered").value_or(0), 1000u) << r.output;
    EXPECT_TRUE(json_number_field(r.output, "receive_buffers_exhausted").has_value()) << r.output;
    // Every chunk came with the kernel's arrival time.
    EXPECT_NE(r.output.find("\"latency_to\":\"arrival\""), std::string::npos) << r.output;
    EXPECT_EQ(json_number_field(r.output, "arrival_times_missing").value_or(1), 0u) << r.output;
  }
}

// A fan-out over three topics: each subscriber gets only its own topic's publishers
// (a delivery from another topic's would be an error), every message of each.
TEST(SluiceLoad, FanOutOverSeveralTopicsRunsClean) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  for (const char* threads : {"1", "2"}) {
    const run_result r = run_program(
        SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--subscribers", "9", "--publishers", "3",
                           "--topics", "3", "--window", "16", "--seconds", "0.5", "--threads", threads});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(json_number_field(r.output, "errors").value_or(1), 0u) << r.output;
    EXPECT_EQ(json_number_field(r.output, "topics").value_or(0), 3u) << r.output;
    EXPECT_GT(json_number_field(r.output, "delivered").value_or(0), 300u) << r.output;
    // Three subscribers a message (on one topic it would be nine), and only the
    // measured part of the run is delivered.
    EXPECT_LE(json_number_field(r.output, "delivered").value_or(1e12),
              3 * json_number_field(r.output, "published").value_or(0))
        << r.output;
  }
}

// Latency to the read, on request: no arrival times are asked for, and none are missed.
TEST(SluiceLoad, LatencyToTheReadOnRequest) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  const run_result r =
      run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--subscribers", "4", "--window",
                                     "8", "--seconds", "0.5", "--latency-to", "read"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"latency_to\":\"read\""), std::string::npos) << r.output;
  EXPECT_EQ(json_number_field(r.output, "arrival_times_missing").value_or(1), 0u) << r.output;
  EXPECT_GT(json_number_field(r.output, "delivered").value_or(0), 100u) << r.output;
}

TEST(SluiceLoad, RefusedPublishesAreReportedAsErrors) {
  scratch_dir dir;
  running_sluiced server(dir, "[topics]\npublish_rate_per_s = 100.0\npublish_burst = 10\n");
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--subscribers",
                                                      "2", "--window", "64", "--seconds", "0.5"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_GT(json_number_field(r.output, "errors").value_or(0), 0u) << r.output;
  EXPECT_NE(r.output.find("publish_rate_limited"), std::string::npos) << r.output;
}

TEST(SluiceLoad, TwoClientThreadsShareTheConnectionsAndStayClean) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  for (const std::vector<std::string>& shape : {std::vector<std::string>{"--subscribers", "9", "--window", "16"},
                                                std::vector<std::string>{"--pairs", "5", "--window", "8"}}) {
    std::vector<std::string> args{"--target", "sluice", "--port", server.port(), "--threads", "2", "--seconds", "1"};
    args.insert(args.end(), shape.begin(), shape.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(json_number_field(r.output, "errors").value_or(1), 0) << r.output;
    EXPECT_GT(json_number_field(r.output, "delivered").value_or(0), 1000u) << r.output;
    EXPECT_EQ(json_number_field(r.output, "threads").value_or(0), 2) << r.output;
  }
}

// Open loop: the publisher sends on its schedule, not as answers come back, so what it
// publishes is the rate times the run's length (warm-up, measured time), give or take
// the last due batch.
TEST(SluiceLoad, OpenLoopPublishesAtTheRequestedRate) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  const run_result r =
      run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--subscribers", "3", "--rate",
                                     "2000", "--seconds", "1", "--warmup-ms", "200", "--server-pid", server.pid()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const double published = json_number_field(r.output, "published").value_or(0);
  EXPECT_GT(published, 2000 * 1.2 * 0.95) << r.output;
  EXPECT_LT(published, 2000 * 1.2 * 1.05) << r.output;
  // Every subscriber got every message of the measured second.
  EXPECT_GT(json_number_field(r.output, "delivered").value_or(0), 3 * 2000 * 0.95) << r.output;
  EXPECT_NE(r.output.find("\"loop\":\"open\""), std::string::npos) << r.output;
  EXPECT_GE(json_number_field(r.output, "server_cpu_s").value_or(-1), 0) << r.output;
}

TEST(SluiceLoad, ConnectStormsOpenEveryConnection) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  for (const std::vector<std::string>& shape :
       {std::vector<std::string>{"--storm", "400"}, std::vector<std::string>{"--storm", "400", "--in-flight", "16"},
        std::vector<std::string>{"--storm", "200", "--jitter-ms", "200", "--threads", "2"}}) {
    std::vector<std::string> args{"--target", "sluice", "--port", server.port()};
    args.insert(args.end(), shape.begin(), shape.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    const double wanted = std::stod(shape[1]);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(json_number_field(r.output, "connected").value_or(0), wanted) << r.output;
    EXPECT_EQ(json_number_field(r.output, "peak_open").value_or(0), wanted) << r.output;
    EXPECT_EQ(json_number_field(r.output, "errors").value_or(1), 0) << r.output;
    EXPECT_GT(json_number_field(r.output, "p50").value_or(0), 0) << r.output;
  }
}

// A Redis stand-in that answers each PING 20 ms after it accepted the connection and
// notes the most connections it held unanswered at once; told to, it ends each answered
// connection when it answers the next. Runs until stop().
class slow_answers {
 public:
  explicit slow_answers(bool close_answered = false) : close_answered_(close_answered) {
    const loopback_socket s = bind_loopback(SOCK_NONBLOCK);
    listener_ = s.fd;
    port_ = s.port();
    EXPECT_EQ(::listen(listener_, 256), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~slow_answers() {
    stop();
    for (const waiting& w : clients_) ::close(w.fd);
    ::close(listener_);
  }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] const std::string& port() const { return port_; }
  [[nodiscard]] std::size_t most_unanswered() const { return most_unanswered_; }

 private:
  struct waiting {
    int fd;
    std::chrono::steady_clock::time_point since;
    bool answered = false;
  };
  void serve() {
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (!stopping_ && std::chrono::steady_clock::now() < give_up) {
      pollfd p{listener_, POLLIN, 0};
      (void)::poll(&p, 1, 2);
      for (int fd; (fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) {
        clients_.push_back({fd, std::chrono::steady_clock::now()});
      }
      std::size_t unanswered = 0;
      for (waiting& w : clients_) {
        if (!w.answered && std::chrono::steady_clock::now() - w.since >= 20ms) {
          if (close_answered_ && last_answered_ >= 0) ::shutdown(last_answered_, SHUT_RDWR);
          w.answered = ::send(w.fd, "+PONG\r\n", 7, MSG_NOSIGNAL) == 7;
          last_answered_ = w.fd;
        }
        if (!w.answered) ++unanswered;
      }
      most_unanswered_ = std::max(most_unanswered_, unanswered);
    }
  }
  bool close_answered_;
  int last_answered_ = -1;
  int listener_ = -1;
  std::string port_;
  std::vector<waiting> clients_;
  std::size_t most_unanswered_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Four threads share a bound of two connections opening at once: the server never
// holds more than two unanswered.
TEST(SluiceLoad, StormInFlightBoundHoldsAcrossThreads) {
  slow_answers server;
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "redis", "--port", server.port(), "--storm", "12",
                                                      "--in-flight", "2", "--threads", "4"});
  server.stop();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_number_field(r.output, "connected").value_or(0), 12) << r.output;
  EXPECT_GE(server.most_unanswered(), 1u);
  EXPECT_LE(server.most_unanswered(), 2u);
}

// A storm's connections are to stay open until it ends: a server that closed all but
// the last one it answered fails the storm, and says how many.
TEST(SluiceLoad, StormConnectionsClosedBeforeTheEndFailIt) {
  slow_answers server(true);
  const run_result r =
      run_program(SLUICE_LOAD_PATH, {"--target", "redis", "--port", server.port(), "--storm", "6", "--threads", "2"});
  server.stop();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(json_number_field(r.output, "connected").value_or(0), 6) << r.output;
  EXPECT_EQ(json_number_field(r.output, "peak_open").value_or(0), 1) << r.output;
  EXPECT_NE(r.output.find("5 of 6 connections were closed before the storm ended"), std::string::npos) << r.output;
}

// A storm spread over a second, against a server that pings after 100 ms of silence and
// drops a connection 100 ms later: the open connections answer its PINGs, so all of
// them are still open when the storm ends.
TEST(SluiceLoad, StormConnectionsAnswerPingsAndStayOpen) {
  scratch_dir dir;
  running_sluiced server(dir, load_config + "[sessions]\nidle_timeout = \"100ms\"\nping_timeout = \"100ms\"\n");
  const run_result r = run_program(
      SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--storm", "30", "--jitter-ms", "1000"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_number_field(r.output, "connected").value_or(0), 30) << r.output;
  EXPECT_EQ(json_number_field(r.output, "peak_open").value_or(0), 30) << r.output;
}

TEST(SluiceLoad, StormRefusalsAreCountedByReason) {
  scratch_dir dir;
  running_sluiced server(dir, admission_with_per_source_max(50));
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--storm", "120"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(json_number_field(r.output, "connected").value_or(0), 50) << r.output;
  EXPECT_EQ(json_number_field(r.output, "errors").value_or(0), 70) << r.output;
  EXPECT_NE(r.output.find("refused: "), std::string::npos) << r.output;
}

// A storm spread over three loopback source addresses, against a server that admits at
// most 35 connections per source: 100 connections are 34, 33 and 33 per source, so all
// are admitted, and stay so when four threads share the storm (each thread numbering its
// connections from 0 would put 36 on the first). From one source, 65 would be refused.
TEST(SluiceLoad, StormSpreadOverSourcesIsAdmittedFromEach) {
  scratch_dir dir;
  running_sluiced server(dir, admission_with_per_source_max(35));
  for (const char* threads : {"1", "4"}) {
    const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--storm", "100",
                                                        "--sources", "3", "--threads", threads});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(json_number_field(r.output, "connected").value_or(0), 100) << r.output;
    EXPECT_EQ(json_number_field(r.output, "sources").value_or(0), 3) << r.output;
    EXPECT_EQ(json_number_field(r.output, "errors").value_or(1), 0) << r.output;
  }
}

// A run that could not hold its connections with the descriptors it may have is refused
// before it starts, saying how many it needs (rather than failing connection by
// connection with "Too many open files").
TEST(SluiceLoad, RunsBeyondTheDescriptorLimitAreRefused) {
  const run_result r = run_program("/usr/bin/prlimit", {"--nofile=200:200", SLUICE_LOAD_PATH, "--target", "sluice",
                                                        "--port", "1", "--storm", "500"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("needs about 568 file descriptors"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("may have 200"), std::string::npos) << r.output;
}

// Source addresses are loopback ones, so they need a server on loopback; and there are
// at most 1024 of them.
TEST(SluiceLoad, SourcesOffLoopbackOrOutOfRangeAreRefused) {
  for (const std::vector<std::string>& shape :
       {std::vector<std::string>{"--host", "10.0.0.1", "--sources", "2"}, std::vector<std::string>{"--sources", "0"},
        std::vector<std::string>{"--sources", "1025"}}) {
    std::vector<std::string> args{"--target", "sluice", "--port", "1", "--storm", "10"};
    args.insert(args.end(), shape.begin(), shape.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--sources"), std::string::npos) << r.output;
  }
}

// A storm against a port bound but not listening: every connect is refused, each one
// counted under that reason, and the storm ends by itself with exit code 1.
TEST(SluiceLoad, StormAgainstNoListenerFailsEveryConnectionWithItsReason) {
  const loopback_socket held = bind_loopback();
  const run_result r =
      run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", held.port(), "--storm", "40", "--threads", "2"});
  ::close(held.fd);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(json_number_field(r.output, "connected").value_or(1), 0) << r.output;
  EXPECT_EQ(json_number_field(r.output, "errors").value_or(0), 40) << r.output;
  EXPECT_NE(r.output.find("\"connection: Connection refused\":40"), std::string::npos) << r.output;
}

// A reconnect storm on sluice that went as it should: every session resumed, nothing
// lost, something published while they were away recovered, no error.
void expect_every_session_resumed(const run_result& r, int sessions) {
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_number_field(r.output, "resumed").value_or(0), sessions) << r.output;
  EXPECT_EQ(json_number_field(r.output, "events_lost").value_or(1), 0) << r.output;
  EXPECT_GT(json_number_field(r.output, "events_recovered").value_or(0), 0) << r.output;
  EXPECT_EQ(json_number_field(r.output, "errors").value_or(1), 0) << r.output;
}

// Every subscriber is dropped at once and resumes its session: nothing is lost or
// duplicated (checked against the server's sequences), and what was published while
// they were away reaches them.
TEST(SluiceLoad, ReconnectStormResumesEverySessionAndRecoversWhatWasMissed) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(),
                                                      "--reconnect-storm", "200", "--rate", "500", "--seconds", "0.5"});
  EXPECT_EQ(json_number_field(r.output, "reconnected").value_or(0), 200) << r.output;
  expect_every_session_resumed(r, 200);
}

// Split over two client threads (a topic's publisher and subscribers on one), the
// storm still drops everyone at once and every stream is checked whole.
TEST(SluiceLoad, ReconnectStormOnTwoThreadsResumesEverySession) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  const run_result r =
      run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--reconnect-storm", "200",
                                     "--topics", "4", "--threads", "2", "--rate", "500", "--seconds", "0.5"});
  EXPECT_EQ(json_number_field(r.output, "threads_used").value_or(0), 2) << r.output;
  EXPECT_EQ(json_number_field(r.output, "connections").value_or(0), 200) << r.output;
  expect_every_session_resumed(r, 200);
}

// A reconnect storm's subscribers, and its reconnects, are spread the same way: 60
// subscribers and a publisher from one source would be past the bound of 45.
TEST(SluiceLoad, ReconnectStormSpreadOverSourcesIsAdmittedFromEach) {
  scratch_dir dir;
  running_sluiced server(dir, admission_with_per_source_max(45) + publish_limits_wide);
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(),
                                                      "--reconnect-storm", "60", "--sources", "3", "--seconds", "1"});
  expect_every_session_resumed(r, 60);
}

// The same storm against servers that cannot resume (no resume window) or cannot
// replay (a history of one event): both are reported as errors, so the checks bite.
TEST(SluiceLoad, ReconnectStormReportsFailedResumesAndTruncatedHistory) {
  const std::string limits = admission_with_per_source_max(100'000);
  const std::pair<std::string, std::string> cases[] = {
      {"[sessions]\nresume_window = \"0s\"\n", "a new session"},
      {"[topics]\nhistory_events = 1\n", "TRUNCATED"},
  };
  for (const auto& [config, expected] : cases) {
    scratch_dir dir;
    running_sluiced server(dir, config + limits);
    const run_result r =
        run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--reconnect-storm", "100",
                                       "--rate", "2000", "--seconds", "0.3"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_GT(json_number_field(r.output, "errors").value_or(0), 0) << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  }
}

TEST(SluiceLoad, PlotsAreWrittenAsSvg) {
  scratch_dir dir;
  running_sluiced server(dir, load_config);
  const std::string prefix = dir.path() + "/run";
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--subscribers",
                                                      "2", "--seconds", "0.5", "--plot-prefix", prefix});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* suffix : {"-over-time.svg", "-distribution.svg"}) {
    std::ifstream in(prefix + suffix);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_TRUE(text.str().starts_with("<svg")) << suffix;
    EXPECT_NE(text.str().find("<path d=\"M"), std::string::npos) << suffix;
  }
}

// Each message in a closed-loop fan-out's windows has a receipt counter; a run that
// would need more than the bound is refused before it connects.
TEST(SluiceLoad, FanOutWindowsBeyondTheCounterBoundAreRefused) {
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", "1", "--subscribers", "2",
                                                      "--publishers", "32", "--window", "65536"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--publishers x --window is at most 1048576"), std::string::npos) << r.output;
}

// Every topic of a fan-out needs a publisher and a subscriber; pairs have their own.
TEST(SluiceLoad, TopicsThatCouldNotAllBeServedAreRefused) {
  const std::vector<std::vector<std::string>> shapes{{"--subscribers", "2", "--publishers", "4", "--topics", "3"},
                                                     {"--subscribers", "8", "--publishers", "2", "--topics", "3"},
                                                     {"--pairs", "4", "--topics", "2"}};
  for (const std::vector<std::string>& shape : shapes) {
    std::vector<std::string> args{"--target", "sluice", "--port", "1"};
    args.insert(args.end(), shape.begin(), shape.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--topics"), std::string::npos) << r.output;
  }
}

// A message every 100 s is the slowest open loop; below it the due times would leave
// the clock's range.
TEST(SluiceLoad, RatesBelowTheSlowestAreRefused) {
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", "1", "--rate", "1e-12"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--rate is at least 0.01 per second"), std::string::npos) << r.output;
}

TEST(SluiceLoad, WebSocketTargetSaysItIsNotThereYet) {
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "ws", "--port", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not available yet"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sluice::test
