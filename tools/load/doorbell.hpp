// Wakes a client thread that may be blocked waiting on its ring, from any other thread:
// an eventfd the owner's ring reads (client_ring::watch_doorbell). Rings coalesce until
// the owner answers, so a thread that rings often makes a system call only when the
// owner has not yet seen an earlier ring.
//
// What a thread stores before ring() is visible to the owner after answer(), as long as
// the owner answers before it looks.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace sluice::load {

class doorbell {
 public:
  doorbell() = default;
  doorbell(const doorbell&) = delete;
  doorbell& operator=(const doorbell&) = delete;
  ~doorbell();

  // Returns an empty string, or what failed.
  [[nodiscard]] std::string open();
  [[nodiscard]] int fd() const noexcept { return fd_; }
  // Where the owner's ring reads the eventfd's counter to. It lives with the doorbell,
  // which outlives the ring: the kernel may complete a read while a ring is torn down.
  [[nodiscard]] std::uint64_t* landing() noexcept { return &landing_; }

  // Any thread.
  void ring() noexcept;
  // The owner, after its read of fd() completed and before it looks at what changed.
  void answer() noexcept { (void)pending_.exchange(false, std::memory_order_acq_rel); }

 private:
  int fd_ = -1;
  std::uint64_t landing_ = 0;
  std::atomic<bool> pending_{false};
};

}  // namespace sluice::load
