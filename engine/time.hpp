// Engine time: a monotonic nanosecond count handed in by the caller.
//
// The engine never reads a clock. net/ passes CLOCK_MONOTONIC readings; tests pass a
// virtual clock, so every timeout is deterministic and replayable.
#pragma once

#include <cstdint>
#include <limits>

namespace sluice {

using time_ns = std::uint64_t;

inline constexpr time_ns ns_per_us = 1'000;
inline constexpr time_ns ns_per_ms = 1'000'000;
inline constexpr time_ns ns_per_s = 1'000'000'000;
inline constexpr time_ns time_ns_max = std::numeric_limits<time_ns>::max();

// Saturating addition: a deadline far in the future must not wrap into the past.
[[nodiscard]] constexpr time_ns add_saturating(time_ns a, time_ns b) noexcept {
  return b > time_ns_max - a ? time_ns_max : a + b;
}

}  // namespace sluice
