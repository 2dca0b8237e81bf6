// Fuzzes the timing wheel with operation sequences decoded from the input and checks
// every step against the multimap model shared with the model test. Any property
// violation aborts with its description.
#include <cstdio>
#include <cstdlib>

#include "tests/engine/timing_wheel_model.hpp"

namespace {

using sluice::test::timing_wheel_model;

// Each op is 4 bytes: kind+timer, then a 16-bit amount whose top bits pick a scale
// (sub-tick, ticks, seconds, days), then a byte: for schedules, whether the deadline
// is in the past; for advances, the budget and what the expiry callback does.
struct reader {
  const std::uint8_t* data;
  std::size_t size;
  bool take(std::uint8_t (&out)[4]) {
    if (size < 4) return false;
    for (int i = 0; i < 4; ++i) out[i] = data[i];
    data += 4;
    size -= 4;
    return true;
  }
};

constexpr sluice::time_ns scales[4] = {1'000, sluice::ns_per_ms, sluice::ns_per_s, 24 * 3600 * sluice::ns_per_s / 64};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const sluice::time_ns tick_ns = data[0] % 2 == 0 ? sluice::ns_per_ms : 100 * sluice::ns_per_us;
  timing_wheel_model model(64, tick_ns);
  reader in{data + 1, size - 1};
  std::uint8_t b[4];
  while (in.take(b)) {
    timing_wheel_model::op o{};
    o.timer = b[0] & 63;
    const std::uint16_t raw = static_cast<std::uint16_t>(b[1] | (b[2] << 8));
    o.amount_ns = (raw & 0x3fff) * scales[raw >> 14];
    switch (b[0] >> 6) {
      case 0:
      case 1:
        o.kind = timing_wheel_model::op::schedule;
        o.past = (b[3] & 1) != 0;
        break;
      case 2:
        o.kind = timing_wheel_model::op::cancel;
        break;
      default:
        o.kind = timing_wheel_model::op::advance;
        o.work_max = (b[3] & 0x3f) == 0 ? UINT32_MAX : (b[3] & 0x3f);
        o.in_callback = static_cast<std::uint8_t>((b[3] >> 6) % 3);
        o.seed = raw;
        break;
    }
    const std::string error = model.apply(o);
    if (!error.empty()) {
      std::fprintf(stderr, "timing wheel property violated: %s\n", error.c_str());
      std::abort();
    }
  }
  return 0;
}
