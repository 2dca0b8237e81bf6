#include "net/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>

namespace sluice {
namespace {

std::atomic<int> log_fd{2};

}  // namespace

void set_log_fd(int fd) { log_fd.store(fd, std::memory_order_relaxed); }

void log_line(log_level level, std::string_view message) {
  const int fd = log_fd.load(std::memory_order_relaxed);
  if (fd < 0) return;
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char stamp[32];
  const std::size_t stamp_length = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  static constexpr std::string_view names[] = {"info", "warn", "error"};
  std::string line(stamp, stamp_length);
  line += '.';
  line += static_cast<char>('0' + millis / 100);
  line += static_cast<char>('0' + millis / 10 % 10);
  line += static_cast<char>('0' + millis % 10);
  line += "Z ";
  line += names[static_cast<unsigned>(level)];
  line += ' ';
  line += message;
  line += '\n';
  [[maybe_unused]] const ssize_t written = ::write(fd, line.data(), line.size());
}

}  // namespace sluice
