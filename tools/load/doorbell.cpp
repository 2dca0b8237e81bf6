#include "tools/load/doorbell.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace sluice::load {

doorbell::~doorbell() {
  if (fd_ >= 0) ::close(fd_);
}

std::string doorbell::open() {
  fd_ = ::eventfd(0, EFD_CLOEXEC);
  return fd_ >= 0 ? std::string() : std::string("eventfd: ") + std::strerror(errno);
}

void doorbell::ring() noexcept {
  if (pending_.exchange(true, std::memory_order_acq_rel)) return;  // not answered yet: it will look anyway
  const std::uint64_t one = 1;
  // Cannot block: the owner reads the counter back to 0 with every ring it answers.
  (void)::write(fd_, &one, sizeof one);
}

}  // namespace sluice::load
