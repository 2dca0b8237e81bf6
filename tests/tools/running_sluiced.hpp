// A sluiced for the harness's tests: its own port (the kernel picks), 2 reactors, the
// given config, stopped with SIGTERM at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "tests/net/support/process.hpp"

namespace sluice::test {

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
  [[nodiscard]] std::string pid() const { return std::to_string(pid_); }

 private:
  pid_t pid_ = -1;
  int output_ = -1;
  std::uint16_t port_ = 0;
};

// Admission opened wide for load, but for the connections one source may hold.
inline std::string admission_with_per_source_max(int connections) {
  return "[admission]\nconnections_per_source_max = " + std::to_string(connections) +
         "\nconnect_rate_per_s = 1000000.0\nconnect_burst = 1000000\n";
}
inline const std::string publish_limits_wide = "[topics]\npublish_rate_per_s = 10000000.0\npublish_burst = 1000000\n";
// Limits opened wide for load, as bench/compare/sluiced.toml does.
inline const std::string load_config = admission_with_per_source_max(100'000) + publish_limits_wide;

}  // namespace sluice::test
