// Duration and size parsing: every unit, the overflow boundary of each unit (the
// largest value that fits and one more), malformed text with its hint, and formatting
// back to the shortest exact form.
#include "engine/config/units.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace sluice {
namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr time_ns ns_per_d = 86'400 * ns_per_s;

time_ns duration_of(const std::string& text) {
  const duration_result r = parse_duration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  return r.value;
}

std::uint64_t size_of(const std::string& text) {
  const size_result r = parse_size(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error;
  return r.value;
}

// Adds one to a decimal number written as text, so the test can go past 2^64 - 1.
std::string plus_one(std::string digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return digits;
    }
    *it = '0';
  }
  return "1" + digits;
}

TEST(units, every_duration_unit_scales) {
  EXPECT_EQ(duration_of("7ns"), 7u);
  EXPECT_EQ(duration_of("7us"), 7'000u);
  EXPECT_EQ(duration_of("7ms"), 7'000'000u);
  EXPECT_EQ(duration_of("7s"), 7 * ns_per_s);
  EXPECT_EQ(duration_of("7m"), 7 * 60 * ns_per_s);
  EXPECT_EQ(duration_of("7h"), 7 * 3'600 * ns_per_s);
  EXPECT_EQ(duration_of("7d"), 7 * ns_per_d);
  EXPECT_EQ(duration_of("0s"), 0u);
  EXPECT_EQ(duration_of("1500ms"), 1'500'000'000u);
  EXPECT_EQ(duration_of("007s"), 7 * ns_per_s);
}

TEST(units, every_size_unit_scales) {
  EXPECT_EQ(size_of("5"), 5u);
  EXPECT_EQ(size_of("5B"), 5u);
  EXPECT_EQ(size_of("5KiB"), 5u << 10);
  EXPECT_EQ(size_of("5MiB"), 5u << 20);
  EXPECT_EQ(size_of("5GiB"), std::uint64_t{5} << 30);
  EXPECT_EQ(size_of("5TiB"), std::uint64_t{5} << 40);
  EXPECT_EQ(size_of("0B"), 0u);
}

// For each unit: the largest count that fits in INT64_MAX nanoseconds, then one more.
TEST(units, duration_overflow_is_exact_at_each_unit) {
  constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  struct boundary {
    const char* unit;
    std::uint64_t scale;
  };
  for (const boundary b :
       {boundary{"ns", 1}, boundary{"us", ns_per_us}, boundary{"ms", ns_per_ms}, boundary{"s", ns_per_s},
        boundary{"m", 60 * ns_per_s}, boundary{"h", 3'600 * ns_per_s}, boundary{"d", ns_per_d}}) {
    const std::uint64_t largest = int64_max / b.scale;
    EXPECT_EQ(duration_of(std::to_string(largest) + b.unit), largest * b.scale) << b.unit;
    const std::string over = std::to_string(largest + 1) + b.unit;
    const duration_result r = parse_duration(over);
    EXPECT_EQ(r.failure, unit_failure::out_of_range) << over;
    EXPECT_EQ(r.error, "\"" + over + "\" is out of range (at most " + std::to_string(largest) + b.unit + ")");
  }
  EXPECT_EQ(duration_of("9223372036854775807ns"), duration_max_ns);
  EXPECT_EQ(parse_duration("99999999999999d").error, "\"99999999999999d\" is out of range (at most 106751d)");
  // Past 64 bits in the digits themselves, not only after scaling.
  EXPECT_EQ(parse_duration("99999999999999999999999999s").failure, unit_failure::out_of_range);
}

TEST(units, size_overflow_is_exact_at_each_unit) {
  struct boundary {
    const char* unit;
    std::uint64_t scale;
  };
  for (const boundary b : {boundary{"B", 1}, boundary{"KiB", 1u << 10}, boundary{"MiB", 1u << 20},
                           boundary{"GiB", std::uint64_t{1} << 30}, boundary{"TiB", std::uint64_t{1} << 40}}) {
    const std::uint64_t largest = u64_max / b.scale;
    EXPECT_EQ(size_of(std::to_string(largest) + b.unit), largest * b.scale) << b.unit;
    const std::string over = plus_one(std::to_string(largest)) + b.unit;  // "B": past 2^64 - 1 itself
    EXPECT_EQ(parse_size(over).failure, unit_failure::out_of_range) << over;
  }
  EXPECT_EQ(size_of("18446744073709551615"), u64_max);
  EXPECT_EQ(parse_size("18446744073709551616").failure, unit_failure::out_of_range);
  EXPECT_EQ(parse_size("16777216TiB").error, "\"16777216TiB\" is out of range (at most 16777215TiB)");
}

TEST(units, malformed_durations_are_refused_with_a_hint) {
  for (const char* text : {"", "s", "30", "-5s", "+5s", " 5s", "5s ", "5 s", "1.5s", "1,5s", "5sec", "5S", "5 ", "ms5",
                           "0x10s", "5d5h", "5µs", "\x01", "5s\n"}) {
    const duration_result r = parse_duration(text);
    EXPECT_EQ(r.failure, unit_failure::malformed) << '"' << text << '"';
    EXPECT_FALSE(r.error.empty()) << text;
  }
  EXPECT_EQ(parse_duration("30").error, "\"30\" has no unit (write e.g. \"30s\"; units: ns, us, ms, s, m, h, d)");
  EXPECT_EQ(parse_duration("1.5s").error,
            "\"1.5s\" is not a whole number (write it in a smaller unit, e.g. \"1500ms\")");
  EXPECT_EQ(parse_duration("-5s").error,
            "\"-5s\" is not a duration (write a non-negative integer and a unit, e.g. \"30s\"; units: ns, us, ms, s, "
            "m, h, d)");
  EXPECT_EQ(parse_duration("5sec").error, "\"5sec\" has an unknown unit (units: ns, us, ms, s, m, h, d)");
  EXPECT_EQ(parse_duration("5 s").error, "\"5 s\" has a space in it (write e.g. \"30s\")");
  EXPECT_EQ(parse_duration("").error, "\"\" is not a duration (write e.g. \"30s\")");
}

TEST(units, decimal_size_units_are_refused_with_the_binary_one) {
  EXPECT_EQ(parse_size("4MB").error, "\"4MB\" has an unknown unit (sizes use binary units: 4MiB)");
  EXPECT_EQ(parse_size("4KB").error, "\"4KB\" has an unknown unit (sizes use binary units: 4KiB)");
  EXPECT_EQ(parse_size("4kB").error, "\"4kB\" has an unknown unit (sizes use binary units: 4KiB)");
  EXPECT_EQ(parse_size("4G").error, "\"4G\" has an unknown unit (sizes use binary units: 4GiB)");
  EXPECT_EQ(parse_size("4tb").error, "\"4tb\" has an unknown unit (sizes use binary units: 4TiB)");
  EXPECT_EQ(parse_size("4mib").error, "\"4mib\" has an unknown unit (sizes use binary units: 4MiB)");
  for (const char* text : {"", "B", "-1B", "1.5MiB", "1 MiB", "1b", "1KiBB", "1xB"}) {
    const size_result r = parse_size(text);
    EXPECT_EQ(r.failure, unit_failure::malformed) << '"' << text << '"';
    EXPECT_FALSE(r.error.empty()) << text;
  }
}

TEST(units, messages_escape_what_they_quote) {
  EXPECT_EQ(parse_duration("5\"\n\x7f").error, "\"5\\\"\\n\\x7f\" has an unknown unit (units: ns, us, ms, s, m, h, d)");
  const std::string long_text(200, 'x');
  EXPECT_EQ(parse_size(long_text).error.find("\"" + std::string(64, 'x') + "\"... is not a size"), 0u);
}

TEST(units, format_takes_the_largest_exact_unit) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(30 * ns_per_s), "30s");
  EXPECT_EQ(format_duration(120 * ns_per_s), "2m");
  EXPECT_EQ(format_duration(90 * ns_per_s), "90s");
  EXPECT_EQ(format_duration(1'500 * ns_per_ms), "1500ms");
  EXPECT_EQ(format_duration(ns_per_d), "1d");
  EXPECT_EQ(format_duration(36 * 3'600 * ns_per_s), "36h");
  EXPECT_EQ(format_duration(100 * ns_per_us), "100us");
  EXPECT_EQ(format_duration(1'001), "1001ns");
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(1u << 20), "1MiB");
  EXPECT_EQ(format_size(1536u << 10), "1536KiB");
  EXPECT_EQ(format_size(100), "100B");
  EXPECT_EQ(format_size(std::uint64_t{3} << 40), "3TiB");
  EXPECT_EQ(format_size(u64_max), "18446744073709551615B");
}

TEST(units, formatted_values_parse_back) {
  for (const time_ns v :
       {time_ns{0}, time_ns{1}, ns_per_s, 7 * ns_per_d, 86'399 * ns_per_s, duration_max_ns, time_ns{123'456'789}}) {
    EXPECT_EQ(duration_of(format_duration(v)), v) << v;
  }
  for (const std::uint64_t v :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1} << 40, u64_max, (std::uint64_t{1} << 40) * 16'777'215}) {
    EXPECT_EQ(size_of(format_size(v)), v) << v;
  }
}

}  // namespace
}  // namespace sluice
