// The load harness against a real sluiced, briefly: a clean run reports zero errors and
// real deliveries, and a run the server refuses (its publish rate limit) is reported
// as errors with exit code 1, so the harness's checks can fail.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "tests/net/support/process.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// sluiced on a port the kernel picks, stopped (SIGTERM) at the end of the test.
class running_sluiced {
 public:
  running_sluiced(const scratch_dir& dir, const std::string& config_text) {
    const std::string config = dir.file("load.toml", config_text);
    pid_ = spawn_program(SLUICED_PATH,
                         {"--port", "0", "--threads", "2", "--data-dir", dir.path() + "/data", "--config", config},
                         output_);
    std::string log;
    port_ = await_listening_port(output_, log);
    EXPECT_NE(port_, 0) << log;
  }
  ~running_sluiced() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(output_);
  }
  running_sluiced(const running_sluiced&) = delete;
  running_sluiced& operator=(const running_sluiced&) = delete;
  [[nodiscard]] std::string port() const { return std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int output_ = -1;
  std::uint16_t port_ = 0;
};

std::uint64_t json_number(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::stoull(json.substr(at + key.size() + 3));
}

const char* const open_rate = "[topics]\npublish_rate_per_s = 10000000.0\npublish_burst = 1000000\n";

TEST(SluiceLoad, FanOutAndPairsRunCleanAgainstSluiced) {
  scratch_dir dir;
  running_sluiced server(dir, open_rate);
  ASSERT_NE(server.port(), "0");
  for (const std::vector<std::string>& shape : {std::vector<std::string>{"--subscribers", "20", "--window", "16"},
                                                std::vector<std::string>{"--pairs", "10", "--window", "64"}}) {
    std::vector<std::string> args{"--target", "sluice", "--port", server.port(), "--seconds", "1"};
    args.insert(args.end(), shape.begin(), shape.end());
    const run_result r = run_program(SLUICE_LOAD_PATH, args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("\"errors\":0,"), std::string::npos) << r.output;
    EXPECT_GT(json_number(r.output, "delivered"), 1000u) << r.output;
  }
}

TEST(SluiceLoad, RefusedPublishesAreReportedAsErrors) {
  scratch_dir dir;
  running_sluiced server(dir, "[topics]\npublish_rate_per_s = 100.0\npublish_burst = 10\n");
  const run_result r = run_program(SLUICE_LOAD_PATH, {"--target", "sluice", "--port", server.port(), "--subscribers",
                                                      "2", "--window", "64", "--seconds", "0.5"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_GT(json_number(r.output, "errors"), 0u) << r.output;
  EXPECT_NE(r.output.find("publish_rate_limited"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sluice::test
