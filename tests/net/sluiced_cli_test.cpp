// The sluiced binary itself: --verify-config verdicts and exit codes, --dump-topology,
// and a real start, serve, SIGTERM, exit 0 cycle with the data-directory lock.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/net/support/process.hpp"
#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

pid_t spawn_sluiced(const std::vector<std::string>& args, int& output_fd) {
  return spawn_program(SLUICED_PATH, args, output_fd);
}

run_result run_sluiced(const std::vector<std::string>& args) { return run_program(SLUICED_PATH, args); }

TEST(SluicedCli, VerifyConfigAcceptsTheEmbeddedDefault) {
  const run_result r = run_sluiced({"--verify-config"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("configuration is valid"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("idle_timeout = \"30s\""), std::string::npos) << r.output;
}

TEST(SluicedCli, VerifyConfigRejectsBadFilesNamingTheKey) {
  scratch_dir dir;
  struct bad_file {
    const char* text;
    const char* key;
  };
  const bad_file files[] = {
      {"[server]\nprot = 7400\n", "server.prot"},
      {"[sessions]\nidle_timeout = \"99999999999999999999d\"\n", "sessions.idle_timeout"},
      {"[sessions]\nresume_window = \"999999999999d\"\n", "sessions.resume_window"},
      {"[server]\nmax_frame = \"-1MiB\"\n", "server.max_frame"},
      {"[server]\noutput_queue_max = -5\n", "server.output_queue_max"},
  };
  for (const bad_file& f : files) {
    SCOPED_TRACE(f.text);
    const std::string path = dir.file("bad.toml", f.text);
    const run_result r = run_sluiced({"--verify-config", "--config", path});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(f.key), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(path), std::string::npos) << r.output;
  }
}

TEST(SluicedCli, DumpTopologyShowsEveryReactor) {
  const run_result r = run_sluiced({"--dump-topology", "--threads", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"reactors 3", "reactor 0:", "reactor 1:", "reactor 2:"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
  }
}

TEST(SluicedCli, StartsServesAndStopsOnSigtermHoldingTheDataDirLock) {
  scratch_dir dir;
  const std::string data_dir = dir.path() + "/data";
  int output = -1;
  const pid_t pid = spawn_sluiced({"--port", "0", "--threads", "2", "--data-dir", data_dir}, output);
  // The port is the kernel's choice; sluiced logs it once it listens.
  std::string log;
  const std::uint16_t port = await_listening_port(output, log);
  ASSERT_NE(port, 0) << log;

  client c;
  ASSERT_EQ(c.connect("127.0.0.1", port, 2s), "");
  const hello_result h = c.hello();
  ASSERT_TRUE(h.ok) << h.message;

  // A second sluiced on the same data directory must refuse to start.
  const run_result second = run_sluiced({"--port", "0", "--data-dir", data_dir});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("in use"), std::string::npos) << second.output;

  // So must one on the same port with a data directory of its own: sharing the port
  // (SO_REUSEPORT) would split the clients between two servers.
  int other_output = -1;
  const pid_t other =
      spawn_sluiced({"--port", std::to_string(port), "--data-dir", dir.path() + "/other-data"}, other_output);
  std::string other_log;
  const std::uint16_t joined = await_listening_port(other_output, other_log);  // 0: it ended first
  if (joined != 0) ::kill(other, SIGKILL);
  other_log += read_all(other_output);
  ::close(other_output);
  int other_status = 0;
  ASSERT_EQ(::waitpid(other, &other_status, 0), other);
  EXPECT_EQ(joined, 0) << "a second server listens on the same port\n" << other_log;
  EXPECT_TRUE(WIFEXITED(other_status) && WEXITSTATUS(other_status) == 1) << other_log;
  EXPECT_NE(other_log.find("address in use"), std::string::npos) << other_log;
  client still;  // and the first server still has every connection
  ASSERT_EQ(still.connect("127.0.0.1", port, 2s), "");
  EXPECT_TRUE(still.hello().ok);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  log += read_all(output);
  ::close(output);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 0) << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  EXPECT_TRUE(c.wait_closed(5s));
}

}  // namespace
}  // namespace sluice::test
