// The harness ends its sluice sessions for good (CLOSE) when a run ends, so a server
// that keeps dropped sessions for a resume does not carry one run's subscribers into
// the next (the comparison runs many workloads against one server).
#include <gtest/gtest.h>

#include <string>

#include "tests/net/support/process.hpp"
#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

server_config open_config() {
  server_config config = test_config(2);
  config.sources.connections_per_source_max = 10'000;
  config.sources.connect_burst = 10'000;
  config.topics.publish_rate_per_s = 1e7;
  config.topics.publish_burst = 1'000'000;
  return config;
}

TEST(SluiceLoadSessions, EveryWorkloadEndsItsSessions) {
  running_server server(open_config());
  const std::string port = std::to_string(server.port());
  const std::vector<std::vector<std::string>> workloads{
      {"--subscribers", "20", "--seconds", "0.3"},
      {"--pairs", "5", "--seconds", "0.3", "--threads", "2"},
      {"--storm", "100"},
      {"--reconnect-storm", "20", "--seconds", "0.3"},
  };
  std::uint64_t opened = 0;
  for (const std::vector<std::string>& workload : workloads) {
    std::vector<std::string> args{"--target", "sluice", "--port", port};
    args.insert(args.end(), workload.begin(), workload.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(eventually([&] {
      const server_stats s = server.stats();
      return s.sessions_active == 0 && s.sessions_detached == 0 && s.sessions_handshaking == 0;
    })) << workload[0]
        << ": " << server.stats().sessions_detached << " sessions left detached";
    EXPECT_GT(server.stats().sessions_opened_total, opened) << workload[0];
    opened = server.stats().sessions_opened_total;
  }
}

}  // namespace
}  // namespace sluice::test
