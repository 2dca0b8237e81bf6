// Durations and sizes as people write them in a config file: "30s", "1500ms", "7d",
// "1MiB". Parsing returns a result, never throws; formatting gives the shortest exact
// form, so an effective config logged at startup reads like the file it came from and
// parses back to the same value.
//
// Durations: a non-negative integer and one unit among ns, us, ms, s, m (minutes), h, d.
// The value must fit a signed 64-bit nanosecond count (about 292 years), so it also fits
// std::chrono::nanoseconds and every monotonic clock reading it is added to.
// Sizes: a non-negative integer and an optional binary unit: B, KiB, MiB, GiB, TiB.
// Decimal units (KB, MB) are refused rather than guessed at.
// Thread: any; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/time.hpp"

namespace sluice {

enum class unit_failure : std::uint8_t {
  none,
  malformed,     // not a number with a known unit
  out_of_range,  // well formed, but too large to represent
};

template <class value_type>
struct unit_result {
  value_type value{};
  unit_failure failure = unit_failure::none;
  std::string error;  // "<what is wrong> (<hint>)" when failure != none

  [[nodiscard]] bool ok() const noexcept { return failure == unit_failure::none; }
};

using duration_result = unit_result<time_ns>;
using size_result = unit_result<std::uint64_t>;

// The largest duration parse_duration accepts: INT64_MAX nanoseconds.
inline constexpr time_ns duration_max_ns = static_cast<time_ns>(INT64_MAX);

[[nodiscard]] duration_result parse_duration(std::string_view text);
[[nodiscard]] size_result parse_size(std::string_view text);

// The largest unit that represents the value exactly: "30s", "2m", "1500ms", "0s".
[[nodiscard]] std::string format_duration(time_ns duration);
// Likewise with binary units: "1MiB", "1536KiB", "100B", "0B".
[[nodiscard]] std::string format_size(std::uint64_t bytes);

}  // namespace sluice
