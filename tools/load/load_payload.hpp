// What every published payload starts with, and what every workload shares to send it:
// the payload header (publisher, sequence, send time) and the open-loop schedule.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::load {

using load_clock = std::chrono::steady_clock;

inline std::uint64_t ns_of(load_clock::time_point t) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Publisher u32, sequence u64, send time u64 (ns on the steady clock), little-endian
// as the machine is: the harness reads what it wrote.
struct payload_header {
  static constexpr std::size_t size = 20;
  std::uint32_t publisher = 0;
  std::uint64_t seq = 0;
  std::uint64_t sent_ns = 0;

  void write_to(std::string& payload) const {
    std::memcpy(payload.data(), &publisher, 4);
    std::memcpy(payload.data() + 4, &seq, 8);
    std::memcpy(payload.data() + 12, &sent_ns, 8);
  }
  // The caller has checked that the payload is at least `size` bytes.
  [[nodiscard]] static payload_header read_from(std::string_view payload) {
    payload_header h;
    std::memcpy(&h.publisher, payload.data(), 4);
    std::memcpy(&h.seq, payload.data() + 4, 8);
    std::memcpy(&h.sent_ns, payload.data() + 12, 8);
    return h;
  }
};

// Open loop: message k (from 1) of a publisher is due at start + (k - 1) / rate,
// whatever happened before; its latency counts from then.
struct open_loop_schedule {
  load_clock::time_point start{};
  double rate = 1;                                  // messages per second
  static constexpr std::uint64_t batch_max = 1024;  // due messages sent per wake-up

  [[nodiscard]] load_clock::time_point due(std::uint64_t k) const {
    return start + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(k - 1) * 1e9 / rate));
  }
};

}  // namespace sluice::load
