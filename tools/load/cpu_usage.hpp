// CPU time used by a process, for reporting the harness's own use and the server's.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace sluice::load {

// User + system CPU seconds of process `pid` (0: this process) from /proc/<pid>/stat,
// at the kernel's clock-tick resolution (10 ms); a negative value when unreadable.
inline double process_cpu_seconds(int pid) {
  const std::string path = pid == 0 ? "/proc/self/stat" : "/proc/" + std::to_string(pid) + "/stat";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return -1;
  char line[1024];
  const bool read = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  if (!read) return -1;
  // Field 2 (the command) may hold spaces and parentheses: fields resume after the last ')'.
  const char* rest = std::strrchr(line, ')');
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  // Fields 3..13 precede utime (14) and stime (15).
  if (rest == nullptr ||
      std::sscanf(rest + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
    return -1;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace sluice::load
