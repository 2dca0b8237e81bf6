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

#include "tests/net/support/test_server.hpp"

extern char** environ;

namespace sluice::test {
namespace {

struct run_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class scratch_dir {
 public:
  scratch_dir() {
    char pattern[] = "/tmp/sluiced-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~scratch_dir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name, const std::string& text) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Starts sluiced with `args`; output goes to a pipe the caller reads.
pid_t spawn_sluiced(const std::vector<std::string>& args, int& output_fd) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  std::vector<char*> argv;
  std::string program = SLUICED_PATH;
  argv.push_back(program.data());
  std::vector<std::string> copies = args;
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, SLUICED_PATH, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  output_fd = pipe_fds[0];
  return pid;
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  return out;
}

run_result run_sluiced(const std::vector<std::string>& args) {
  int output = -1;
  const pid_t pid = spawn_sluiced(args, output);
  run_result r;
  r.output = read_all(output);
  ::close(output);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

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
  std::uint16_t port = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    char buffer[4096];
    const ssize_t n = ::read(output, buffer, sizeof buffer);
    if (n <= 0) break;
    log.append(buffer, static_cast<std::size_t>(n));
    if (const auto at = log.find("listening on 127.0.0.1:"); at != std::string::npos) {
      port = static_cast<std::uint16_t>(std::stoi(log.substr(at + 23)));
    }
  }
  ASSERT_NE(port, 0) << log;

  client c;
  ASSERT_EQ(c.connect("127.0.0.1", port, 2s), "");
  const hello_result h = c.hello();
  ASSERT_TRUE(h.ok) << h.message;

  // A second sluiced on the same data directory must refuse to start.
  const run_result second = run_sluiced({"--port", "0", "--data-dir", data_dir});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("in use"), std::string::npos) << second.output;

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
