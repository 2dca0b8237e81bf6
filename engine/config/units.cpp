// Duration and size parsing and formatting. Every multiplication is checked before it
// is done, so no input can wrap into a small, plausible-looking value.
#include "engine/config/units.hpp"

#include <array>
#include <cctype>
#include <cstddef>
#include <limits>
#include <utility>

#include "engine/config/quoting.hpp"

namespace sluice {
namespace {

struct unit {
  std::string_view suffix;
  std::uint64_t scale;
};

// Largest first: formatting takes the first unit that divides the value.
constexpr std::array<unit, 7> duration_units{{
    {"d", 86'400 * ns_per_s},
    {"h", 3'600 * ns_per_s},
    {"m", 60 * ns_per_s},
    {"s", ns_per_s},
    {"ms", ns_per_ms},
    {"us", ns_per_us},
    {"ns", 1},
}};

constexpr std::array<unit, 5> size_units{{
    {"TiB", std::uint64_t{1} << 40},
    {"GiB", std::uint64_t{1} << 30},
    {"MiB", std::uint64_t{1} << 20},
    {"KiB", std::uint64_t{1} << 10},
    {"B", 1},
}};

constexpr std::string_view duration_unit_list = "units: ns, us, ms, s, m, h, d";
constexpr std::string_view size_unit_list = "units: B, KiB, MiB, GiB, TiB";

template <std::size_t n>
const unit* find_unit(const std::array<unit, n>& units, std::string_view suffix) {
  for (const unit& u : units) {
    if (u.suffix == suffix) return &u;
  }
  return nullptr;
}

// The number and unit of "<digits><unit>", before any range check.
struct split_text {
  std::string_view digits;
  std::string_view suffix;
};

split_text split(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  return {text.substr(0, n), text.substr(n)};
}

// Decimal digits to an integer, or false when it does not fit 64 bits.
bool to_integer(std::string_view digits, std::uint64_t& value) {
  value = 0;
  for (const char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

template <class value_type>
unit_result<value_type> failed(unit_failure failure, std::string error) {
  unit_result<value_type> r;
  r.failure = failure;
  r.error = std::move(error);
  return r;
}

// Why "<digits><suffix>" is not well formed, given that the suffix is not a known unit.
std::string bad_suffix(std::string_view text, const split_text& parts, std::string_view kind, std::string_view example,
                       std::string_view smaller_example, std::string_view unit_list) {
  const std::string quoted = config::quote_for_message(text);
  if (text.empty()) return quoted + " is not a " + std::string(kind) + " (write e.g. " + std::string(example) + ")";
  if (parts.digits.empty()) {
    return quoted + " is not a " + std::string(kind) + " (write a non-negative integer and a unit, e.g. " +
           std::string(example) + "; " + std::string(unit_list) + ")";
  }
  if (parts.suffix.front() == '.' || parts.suffix.front() == ',') {
    return quoted + " is not a whole number (write it in a smaller unit, e.g. " + std::string(smaller_example) + ")";
  }
  if (std::isspace(static_cast<unsigned char>(parts.suffix.front())) != 0) {
    return quoted + " has a space in it (write e.g. " + std::string(example) + ")";
  }
  return quoted + " has an unknown unit (" + std::string(unit_list) + ")";
}

// The binary unit a decimal or lower-case size unit ("MB", "k", "mib") most likely meant.
std::string_view binary_unit_for(std::string_view suffix) {
  switch (std::toupper(static_cast<unsigned char>(suffix.front()))) {
    case 'K':
      return "KiB";
    case 'M':
      return "MiB";
    case 'G':
      return "GiB";
    case 'T':
      return "TiB";
    default:
      return {};
  }
}

// The unit-free, whole-unit maximum of a unit, for "(at most 106751d)".
std::string max_in_unit(std::uint64_t max, const unit& u) {
  return std::to_string(max / u.scale) + std::string(u.suffix);
}

template <std::size_t n>
std::string format_in_units(std::uint64_t value, const std::array<unit, n>& units, std::string_view zero) {
  if (value == 0) return std::string(zero);
  for (const unit& u : units) {
    if (value % u.scale == 0) return std::to_string(value / u.scale) + std::string(u.suffix);
  }
  return std::to_string(value) + std::string(units.back().suffix);  // unreachable: the last scale is 1
}

}  // namespace

duration_result parse_duration(std::string_view text) {
  const split_text parts = split(text);
  const unit* u = parts.digits.empty() ? nullptr : find_unit(duration_units, parts.suffix);
  if (u == nullptr) {
    if (!parts.digits.empty() && parts.suffix.empty()) {
      return failed<time_ns>(unit_failure::malformed, config::quote_for_message(text) +
                                                          " has no unit (write e.g. \"30s\"; " +
                                                          std::string(duration_unit_list) + ")");
    }
    return failed<time_ns>(unit_failure::malformed,
                           bad_suffix(text, parts, "duration", "\"30s\"", "\"1500ms\"", duration_unit_list));
  }
  std::uint64_t count = 0;
  if (!to_integer(parts.digits, count) || count > duration_max_ns / u->scale) {
    return failed<time_ns>(unit_failure::out_of_range, config::quote_for_message(text) + " is out of range (at most " +
                                                           max_in_unit(duration_max_ns, *u) + ")");
  }
  return duration_result{count * u->scale, unit_failure::none, {}};
}

size_result parse_size(std::string_view text) {
  const split_text parts = split(text);
  const unit* u = nullptr;
  if (!parts.digits.empty()) u = parts.suffix.empty() ? &size_units.back() : find_unit(size_units, parts.suffix);
  if (u == nullptr) {
    const std::string_view binary =
        parts.digits.empty() || parts.suffix.empty() ? std::string_view{} : binary_unit_for(parts.suffix);
    if (!binary.empty()) {
      return failed<std::uint64_t>(unit_failure::malformed, config::quote_for_message(text) +
                                                                " has an unknown unit (sizes use binary units: " +
                                                                std::string(parts.digits) + std::string(binary) + ")");
    }
    return failed<std::uint64_t>(unit_failure::malformed,
                                 bad_suffix(text, parts, "size", "\"1MiB\"", "\"1536KiB\"", size_unit_list));
  }
  std::uint64_t count = 0;
  if (!to_integer(parts.digits, count) || count > std::numeric_limits<std::uint64_t>::max() / u->scale) {
    return failed<std::uint64_t>(unit_failure::out_of_range,
                                 config::quote_for_message(text) + " is out of range (at most " +
                                     max_in_unit(std::numeric_limits<std::uint64_t>::max(), *u) + ")");
  }
  return size_result{count * u->scale, unit_failure::none, {}};
}

std::string format_duration(time_ns duration) { return format_in_units(duration, duration_units, "0s"); }

std::string format_size(std::uint64_t bytes) { return format_in_units(bytes, size_units, "0B"); }

}  // namespace sluice
