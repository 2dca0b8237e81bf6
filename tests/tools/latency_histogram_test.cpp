// The harness's latency histogram: percentiles within its bucket precision, exact max,
// merging, and no values lost at either end of the range.
#include "tools/load/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace sluice::load {
namespace {

TEST(LatencyHistogram, PercentilesAreWithinThreePercent) {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 100'000; ++v) h.record(v * 1000);  // 1 us .. 100 ms
  EXPECT_EQ(h.count(), 100'000u);
  EXPECT_EQ(h.max(), 100'000'000u);
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const double truth = q * 100'000 * 1000;
    const auto got = static_cast<double>(h.quantile(q));
    EXPECT_GE(got, truth * 0.999) << q;  // an upper bucket edge: never below the truth
    EXPECT_LE(got, truth * 1.03) << q;
  }
  EXPECT_EQ(h.quantile(1.0), h.max());
}

TEST(LatencyHistogram, SmallAndHugeValuesAndMerging) {
  latency_histogram a;
  latency_histogram b;
  EXPECT_EQ(a.quantile(0.5), 0u);                      // empty
  for (std::uint64_t v = 0; v < 32; ++v) a.record(v);  // exact below 32
  b.record(UINT64_MAX);
  a.merge(b);
  EXPECT_EQ(a.count(), 33u);
  EXPECT_EQ(a.quantile(0.5), 16u);
  EXPECT_EQ(a.max(), UINT64_MAX);
  EXPECT_EQ(a.quantile(1.0), UINT64_MAX);
}

}  // namespace
}  // namespace sluice::load
