// Waits for a workload's threads to end while it reports progress about once a period,
// and returns as soon as the last one ends, not at the next report: a storm of 0.2 s
// takes 0.2 s, and one spread over a minute shows how it goes meanwhile.
//
// Thread: finished() from any thread; wait() from one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace sluice::load {

class progress_ticker {
 public:
  // Called by each thread as its last act.
  void finished() {
    {
      const std::lock_guard lock(mutex_);
      ++finished_;
    }
    ended_.notify_one();
  }

  // Returns once `threads` threads called finished(), calling `tick` after each `period`
  // that passed before that.
  void wait(int threads, std::chrono::milliseconds period, const std::function<void()>& tick) {
    std::unique_lock lock(mutex_);
    while (finished_ < threads) {
      if (ended_.wait_for(lock, period, [&] { return finished_ >= threads; })) break;
      lock.unlock();
      tick();
      lock.lock();
    }
  }

 private:
  std::mutex mutex_;  // once per thread's end: nowhere near a message's path
  std::condition_variable ended_;
  int finished_ = 0;
};

}  // namespace sluice::load
