// A token bucket in its GCRA form (generic cell rate algorithm): one 8-byte state, no
// floating point, no refill timer.
//
// A bucket of `burst` tokens refilled at `rate` per second admits a request when a
// token is left. GCRA tracks the theoretical arrival time (TAT) instead of a token
// count: a request at `now` is admitted if now >= TAT - tolerance, and then TAT moves
// one emission interval past max(TAT, now). With tolerance = interval * (burst - 1) it
// admits exactly the same sequences as the bucket.
// Thread: a state belongs to its owner's thread. Parameters are shared read-only.
#pragma once

#include <cstdint>

#include "engine/assert.hpp"
#include "engine/time.hpp"

namespace sluice {

struct gcra_params {
  time_ns interval_ns = ns_per_s;  // 1 / rate
  time_ns tolerance_ns = 0;        // interval * (burst - 1)

  // rate_per_s > 0 and burst >= 1; configuration validates both before this.
  [[nodiscard]] static gcra_params from_rate(double rate_per_s, std::uint32_t burst) noexcept {
    SLUICE_ASSERT(rate_per_s > 0 && burst >= 1);
    const double interval = static_cast<double>(ns_per_s) / rate_per_s;
    const time_ns interval_ns =
        interval >= 1.8e19 ? time_ns_max / 2 : (interval < 1 ? 1 : static_cast<time_ns>(interval));
    const double tolerance = static_cast<double>(interval_ns) * (burst - 1);
    return gcra_params{interval_ns, tolerance >= 1.8e19 ? time_ns_max / 2 : static_cast<time_ns>(tolerance)};
  }
};

struct gcra_state {
  time_ns tat_ns = 0;  // 0: never used, a full bucket
};

// Takes one token if there is one. O(1), no allocation.
[[nodiscard]] inline bool gcra_try_take(gcra_state& state, const gcra_params& params, time_ns now_ns) noexcept {
  if (state.tat_ns > add_saturating(now_ns, params.tolerance_ns)) return false;
  state.tat_ns = add_saturating(state.tat_ns > now_ns ? state.tat_ns : now_ns, params.interval_ns);
  return true;
}

}  // namespace sluice
