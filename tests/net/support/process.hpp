// Child processes for tests of the project's binaries: start one with its output on a
// pipe, read it, and a scratch directory removed at the end of the test.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace sluice::test {

struct run_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class scratch_dir {
 public:
  scratch_dir() {
    char pattern[] = "/tmp/sluice-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~scratch_dir() { std::filesystem::remove_all(path_); }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] std::string file(const std::string& name, const std::string& text) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Starts `program` with `args`; its stdout and stderr go to a pipe the caller reads.
inline pid_t spawn_program(const std::string& program, const std::vector<std::string>& args, int& output_fd) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  std::vector<std::string> copies = args;
  copies.insert(copies.begin(), program);
  std::vector<char*> argv;
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  output_fd = pipe_fds[0];
  return pid;
}

inline std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  return out;
}

// Runs `program` to its end.
inline run_result run_program(const std::string& program, const std::vector<std::string>& args) {
  int output = -1;
  const pid_t pid = spawn_program(program, args, output);
  run_result r;
  r.output = read_all(output);
  ::close(output);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Reads a starting sluiced's output until it logs its listening port (0 if it did not
// within 20 s); what was read is left in `log`.
inline std::uint16_t await_listening_port(int output_fd, std::string& log) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    char buffer[4096];
    const ssize_t n = ::read(output_fd, buffer, sizeof buffer);
    if (n <= 0) break;
    log.append(buffer, static_cast<std::size_t>(n));
    if (const auto at = log.find("listening on 127.0.0.1:"); at != std::string::npos) {
      return static_cast<std::uint16_t>(std::stoi(log.substr(at + 23)));
    }
  }
  return 0;
}

}  // namespace sluice::test
