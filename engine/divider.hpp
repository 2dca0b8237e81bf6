// Exact unsigned 64-bit division by a divisor fixed at construction, by multiply and
// shift instead of a div instruction (Granlund & Montgomery, "Division by invariant
// integers using multiplication", 1994). The timing wheel converts every deadline from
// nanoseconds to ticks; a hardware 64-bit divide there was a measurable share of the
// cost of arming a timer. Value type; any thread.
#pragma once

#include <bit>
#include <cstdint>

#include "engine/assert.hpp"

namespace sluice {

class divider {
 public:
  explicit divider(std::uint64_t d) : d_(d) {
    SLUICE_ASSERT(d > 0);
    if (std::has_single_bit(d)) {
      kind_ = kind::shift;
      shift_ = static_cast<unsigned>(std::countr_zero(d));
    } else if (d > (std::uint64_t{1} << 63)) {
      kind_ = kind::compare;  // the quotient is 0 or 1
    } else {
      // l = ceil(log2 d) in [2, 63]; magic = floor(2^64 * (2^l - d) / d) + 1 fits 64 bits.
      kind_ = kind::multiply;
      shift_ = static_cast<unsigned>(64 - std::countl_zero(d - 1));
      const unsigned __int128 numerator = (static_cast<unsigned __int128>((std::uint64_t{1} << shift_) - d)) << 64;
      magic_ = static_cast<std::uint64_t>(numerator / d) + 1;
    }
  }

  [[nodiscard]] std::uint64_t divide(std::uint64_t n) const noexcept {
    switch (kind_) {
      case kind::shift:
        return n >> shift_;
      case kind::compare:
        return n >= d_ ? 1 : 0;
      case kind::multiply: {
        const auto t = static_cast<std::uint64_t>((static_cast<unsigned __int128>(magic_) * n) >> 64);
        return (t + ((n - t) >> 1)) >> (shift_ - 1);
      }
    }
    return n / d_;
  }

  [[nodiscard]] std::uint64_t divisor() const noexcept { return d_; }

 private:
  enum class kind : std::uint8_t { shift, compare, multiply };
  std::uint64_t d_;
  std::uint64_t magic_ = 0;
  unsigned shift_ = 0;
  kind kind_ = kind::shift;
};

}  // namespace sluice
