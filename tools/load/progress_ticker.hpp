// Runs a workload's threads and reports progress about once a period while they go,
// returning as soon as the last one ends, not at the next report: a storm of 0.2 s
// takes 0.2 s, and one spread over a minute shows how it goes meanwhile.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::load {

// Runs body(0) .. body(threads - 1), each on a thread of its own, and calls `tick` from
// the calling thread after each `period` that passes before they have all ended.
inline void run_with_progress(int threads, const std::function<void(int)>& body, std::chrono::milliseconds period,
                              const std::function<void()>& tick) {
  std::mutex mutex;  // taken once per thread's end: nowhere near a message's path
  std::condition_variable ended;
  int finished = 0;
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      body(t);
      {
        const std::lock_guard lock(mutex);
        ++finished;
      }
      ended.notify_one();
    });
  }
  {
    std::unique_lock lock(mutex);
    while (!ended.wait_for(lock, period, [&] { return finished == threads; })) {
      lock.unlock();
      tick();
      lock.lock();
    }
  }
  for (std::thread& t : running) t.join();
}

}  // namespace sluice::load
