#include "net/uring.hpp"

#include <sys/utsname.h>

#include <cstdio>

namespace sluice {

uring_setup_result setup_uring(io_uring& ring, unsigned entries) {
  struct candidate {
    unsigned flags;
    const char* mode;
  };
  static constexpr candidate candidates[] = {
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, "single_issuer+defer_taskrun"},
      {IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, "coop_taskrun"},
      {0, "basic"},
  };
  int error = 0;
  for (const candidate& c : candidates) {
    io_uring_params params{};
    params.flags = c.flags | IORING_SETUP_CQSIZE;
    params.cq_entries = entries * cq_factor;
    error = io_uring_queue_init_params(entries, &ring, &params);
    if (error == 0) return {0, c.mode};
    if (error != -EINVAL) break;  // not a missing feature: out of memory, locked memory limit, ...
  }
  return {error, {}};
}

std::string missing_kernel_features() {
  utsname names{};
  if (::uname(&names) != 0) return "cannot read the kernel version";
  unsigned major = 0;
  unsigned minor = 0;
  if (std::sscanf(names.release, "%u.%u", &major, &minor) != 2) return "cannot parse the kernel version";
  if (major < 6) {
    return std::string("Linux ") + names.release +
           " lacks multishot receive with provided buffer rings; sluiced needs Linux 6.0 or later";
  }
  return {};
}

}  // namespace sluice
