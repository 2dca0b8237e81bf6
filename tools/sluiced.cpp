// sluiced: the sluice server. Loads and checks the configuration (the embedded default
// when no file is given), locks the data directory, starts one reactor per shard and
// runs until SIGINT or SIGTERM.
//
// Exit codes: 0 stopped cleanly, 1 could not start, 2 bad configuration or arguments.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/config/config_loader.hpp"
#include "net/log.hpp"
#include "net/server.hpp"

namespace {

using namespace sluice;

constexpr int exit_start_failed = 1;
constexpr int exit_bad_config = 2;

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open the file";
    return false;
  }
  std::ostringstream text;
  text << file.rdbuf();
  out = text.str();
  return true;
}

// One sluiced per data directory: a second one would corrupt the state the first owns.
// The lock goes with the process, so a crash never leaves it stale.
int lock_data_dir(const std::string& dir, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "data_dir " + dir + ": " + ec.message();
    return -1;
  }
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "data_dir " + dir + ": cannot open " + path;
    return -1;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    error = "data_dir " + dir + " is in use by another sluiced";
    return -1;
  }
  return fd;
}

void dump_topology(const server_config& config) {
  const std::uint32_t reactors = reactor_count_for(config);
  std::printf("listen %s:%u (SO_REUSEPORT, one listener per reactor, backlog %u)\n", config.listen_address.c_str(),
              config.port, config.listen_backlog);
  std::printf("reactors %u%s\n", reactors, config.pin_threads ? " (reactor i pinned to CPU i)" : "");
  std::printf(
      "routing: session -> reactor xxh3(session_id) range-reduced over %u; source address -> reactor by a "
      "per-process secret hash\n",
      reactors);
  for (std::uint32_t i = 0; i < reactors; ++i) {
    std::printf("reactor %u: sessions_max %u, connection slots %u, io_uring sq %u cq %u, receive buffers %u x %u B\n",
                i, config.sessions.sessions_max, config.max_connections, config.ring_entries, config.ring_entries * 4,
                config.recv_buffer_count, config.recv_buffer_size);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluiced: the sluice session server"};
  std::string config_path;
  std::string data_dir;
  int port = -1;
  int threads = -1;
  bool verify_only = false;
  bool topology_only = false;
  app.add_option("--config", config_path, "TOML configuration file (default: the embedded configuration)");
  app.add_option("--port", port, "TCP port to listen on (overrides server.port; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--threads", threads, "reactor threads (overrides server.threads; 0: one per CPU)")
      ->check(CLI::Range(0, 256));
  app.add_option("--data-dir", data_dir, "data directory (overrides server.data_dir)");
  app.add_flag("--verify-config", verify_only, "check the configuration, print it, and exit");
  app.add_flag("--dump-topology", topology_only, "print reactors, shards and routing, and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_bad_config;
  }

  std::string text{default_config_toml()};
  std::string source = "embedded default config";
  if (!config_path.empty()) {
    std::string error;
    if (!read_file(config_path, text, error)) {
      std::fprintf(stderr, "sluiced: %s\n", error.c_str());
      return exit_bad_config;
    }
    source = config_path;
  }
  config_result loaded = load_config(text, source);
  if (!loaded.ok()) {
    std::fprintf(stderr, "sluiced: %s\n", loaded.error.c_str());
    return exit_bad_config;
  }
  server_config config = std::move(loaded.config);
  if (port >= 0) config.port = static_cast<std::uint16_t>(port);
  if (threads >= 0) config.threads = static_cast<std::uint32_t>(threads);
  if (!data_dir.empty()) config.data_dir = data_dir;

  if (verify_only) {
    std::printf("%s: configuration is valid\n%s", source.c_str(), describe_config(config).c_str());
    return 0;
  }
  if (topology_only) {
    dump_topology(config);
    return 0;
  }

  std::string error;
  const int lock_fd = lock_data_dir(config.data_dir, error);
  if (lock_fd < 0) {
    log_line(log_level::error, error);
    return exit_start_failed;
  }
  log_line(log_level::info, "configuration from " + source + ":\n" + describe_config(config));

  // Signals are taken by this thread alone (sigwait); reactors inherit the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server s(config);
  if (std::string start_error = s.start(); !start_error.empty()) {
    log_line(log_level::error, "cannot start: " + start_error);
    return exit_start_failed;
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log_line(log_level::info, std::string("stopping on ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
  s.stop();
  log_line(log_level::info, "stopped");
  ::close(lock_fd);
  return 0;
}
