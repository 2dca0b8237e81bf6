// When a closed-loop publisher's message leaves its window: once every subscriber of
// its topic has received it. Counting only the first subscriber let the others fall
// behind without bound, so a fan-out's latency measured how far the harness lagged
// rather than the server (docs/load.md, "The window counts every subscriber").
//
// Two levels, so that the deliveries of a fan-out cost no atomic operation each:
//  - thread_receipts, one per client thread and publisher, counts the receipts of the
//    thread's own subscribers of the topic and says when the last of them has a message;
//  - shared_receipts, one per publisher, counts the threads that have said so, once per
//    message and thread, when the topic's subscribers live on several threads.
//
// Both keep one counter per message in the window, indexed by sequence mod window: a
// publisher sends message k + window only after message k has left the window, and each
// subscriber receives a publisher's messages in order, so a counter is never shared by
// two messages at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/assert.hpp"

namespace sluice::load {

class thread_receipts {
 public:
  thread_receipts() = default;
  // `audience`: this thread's subscribers of the topic (at least 1).
  thread_receipts(std::uint32_t window, std::uint32_t audience) : audience_(audience) {
    SLUICE_ASSERT(window > 0 && audience > 0);
    if (audience > 1) counts_.assign(window, 0);
  }

  // One of this thread's subscribers received message `seq` (sequences start at 1);
  // true when it was the last of them to.
  [[nodiscard]] bool receive(std::uint64_t seq) {
    if (audience_ == 1) return true;
    std::uint32_t& count = counts_[seq % counts_.size()];
    SLUICE_ASSERT(count < audience_);
    if (++count < audience_) return false;
    count = 0;  // the slot's next message is sent only after this one counts as received
    return true;
  }

 private:
  std::uint32_t audience_ = 1;
  std::vector<std::uint32_t> counts_;
};

class shared_receipts {
 public:
  // `threads`: the client threads holding subscribers of the topic (1 to 65,535).
  shared_receipts(std::uint32_t window, std::uint32_t threads) : window_(window), threads_(threads) {
    SLUICE_ASSERT(window > 0 && threads > 0 && threads <= count_mask);
    if (threads == 1) return;
    slots_ = std::make_unique<std::atomic<std::uint64_t>[]>(window);
    for (std::uint32_t i = 0; i < window; ++i) slots_[i].store(0, std::memory_order_relaxed);
  }

  // Thread-safe. One thread's subscribers all have message `seq`; true for the call
  // that makes it every thread's.
  [[nodiscard]] bool receive(std::uint64_t seq) {
    if (threads_ == 1) return true;
    SLUICE_ASSERT(seq <= (UINT64_MAX >> count_bits));
    // A slot holds the sequence it counts for beside the count, so a slot that still
    // shows an earlier message (which every thread had) starts over without anyone
    // having to reset it first.
    std::atomic<std::uint64_t>& slot = slots_[seq % window_];
    std::uint64_t seen = slot.load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t count = (seen >> count_bits) == seq ? (seen & count_mask) + 1 : 1;
      SLUICE_ASSERT(count <= threads_);
      if (slot.compare_exchange_weak(seen, (seq << count_bits) | count, std::memory_order_acq_rel,
                                     std::memory_order_relaxed)) {
        return count == threads_;
      }
    }
  }

 private:
  static constexpr unsigned count_bits = 16;
  static constexpr std::uint64_t count_mask = (std::uint64_t{1} << count_bits) - 1;

  std::uint64_t window_;
  std::uint32_t threads_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> slots_;
};

}  // namespace sluice::load
