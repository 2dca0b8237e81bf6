// A log-linear latency histogram in the manner of HdrHistogram: values (ns) fall into
// power-of-two ranges, each split into 32 linear buckets, so any percentile is within
// ~3% of the true value, recording is O(1) and memory is fixed (64 x 32 counters).
//
// Thread: one writer; merge() combines histograms of several threads.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace sluice::load {

class latency_histogram {
 public:
  static constexpr unsigned sub_bits = 5;
  static constexpr unsigned sub_buckets = 1u << sub_bits;

  void record(std::uint64_t value) noexcept {
    ++counts_[index_of(value)];
    ++total_;
    if (value > max_) max_ = value;
  }
  void merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    if (other.max_ > max_) max_ = other.max_;
  }
  [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }

  // The upper edge of the bucket holding the q-quantile (0 < q <= 1); 0 when empty.
  [[nodiscard]] std::uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    // Nearest rank: the smallest value with at least q of all values at or below it.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const std::uint64_t edge = upper_edge(i);
        return edge < max_ ? edge : max_;
      }
    }
    return max_;
  }

 private:
  // Values below sub_buckets map to themselves; above, the top sub_bits+1 bits select.
  static std::size_t index_of(std::uint64_t v) noexcept {
    if (v < sub_buckets) return static_cast<std::size_t>(v);
    const unsigned magnitude = 63 - static_cast<unsigned>(std::countl_zero(v));  // >= sub_bits
    const unsigned shift = magnitude - sub_bits;
    const auto sub = static_cast<std::size_t>((v >> shift) & (sub_buckets - 1));
    return (static_cast<std::size_t>(shift) + 1) * sub_buckets + sub;
  }
  static std::uint64_t upper_edge(std::size_t index) noexcept {
    if (index < sub_buckets) return index;
    const std::size_t shift = index / sub_buckets - 1;
    const std::uint64_t sub = index % sub_buckets;
    return ((std::uint64_t{sub_buckets} + sub + 1) << shift) - 1;
  }

  std::array<std::uint64_t, (64 - sub_bits + 1) * sub_buckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sluice::load
