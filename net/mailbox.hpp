// A reactor's inbox: a bounded multi-producer queue (moodycamel ConcurrentQueue, one
// producer token per sending thread) plus an eventfd that wakes the owner's ring.
//
// Bound: `capacity` messages. post() refuses beyond it and the sender decides what
// that means (refuse the client, retry later); nothing blocks and nothing grows.
// Wake-ups: a sender writes the eventfd only when no wake-up is already pending since
// the owner last looked, so a burst of messages costs one syscall, not one each.
//
// Thread: post() from any thread holding its own producer token; drain() and
// note_woken() from the owner only.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

// <linux/fs.h> (pulled in by liburing) defines BLOCK_SIZE, which is also a member name
// inside ConcurrentQueue.
#pragma push_macro("BLOCK_SIZE")
#undef BLOCK_SIZE
#include <concurrentqueue/concurrentqueue.h>
#pragma pop_macro("BLOCK_SIZE")

#include "engine/assert.hpp"

namespace sluice {

template <class message>
class mailbox {
 public:
  using producer_token = moodycamel::ProducerToken;

  explicit mailbox(std::uint32_t capacity)
      : queue_(capacity), capacity_(capacity), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    SLUICE_ASSERT(wake_fd_ >= 0);
  }
  mailbox(const mailbox&) = delete;
  mailbox& operator=(const mailbox&) = delete;
  ~mailbox() { ::close(wake_fd_); }

  [[nodiscard]] producer_token make_token() { return producer_token(queue_); }

  // Queues `item` and wakes the owner; false (item untouched) when the inbox is full.
  [[nodiscard]] bool post(producer_token& token, message&& item) {
    if (size_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
      size_.fetch_sub(1, std::memory_order_acq_rel);
      return false;
    }
    const bool queued = queue_.enqueue(token, std::move(item));
    SLUICE_ASSERT(queued);  // only fails when memory runs out
    wake();
    return true;
  }

  // Wakes the owner without a message (stop requests).
  void wake() {
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written =
        ::write(wake_fd_, &one, sizeof one);  // EAGAIN: a wake-up is pending anyway
  }

  // Owner: the eventfd read completed; later posts must write it again.
  void note_woken() { wake_pending_.store(false, std::memory_order_release); }

  // Owner: hands up to `max` messages to `on_message(message&&)`; returns how many.
  template <class on_message_fn>
  std::size_t drain(std::size_t max, on_message_fn&& on_message) {
    if (size_.load(std::memory_order_acquire) == 0) return 0;
    std::size_t done = 0;
    message item;
    while (done < max && queue_.try_dequeue(item)) {
      size_.fetch_sub(1, std::memory_order_acq_rel);
      ++done;
      on_message(std::move(item));
    }
    return done;
  }

  [[nodiscard]] int wake_fd() const noexcept { return wake_fd_; }
  [[nodiscard]] std::uint32_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint32_t capacity() const noexcept { return capacity_; }

 private:
  moodycamel::ConcurrentQueue<message> queue_;
  std::uint32_t capacity_;
  std::atomic<std::uint32_t> size_{0};
  std::atomic<bool> wake_pending_{false};
  int wake_fd_;
};

}  // namespace sluice
