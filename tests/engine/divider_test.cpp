// Multiply-shift division equals the div instruction for every kind of divisor.
#include "engine/divider.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/seed.hpp"

namespace sluice {
namespace {

TEST(divider, matches_hardware_division) {
  std::mt19937_64 rng(test::test_seed("divider"));
  const std::uint64_t fixed[] = {1,
                                 2,
                                 3,
                                 7,
                                 10,
                                 1'000,
                                 1'000'000,
                                 1'000'000'007,
                                 (1ull << 32) + 1,
                                 (1ull << 63) - 1,
                                 1ull << 63,
                                 (1ull << 63) + 1,
                                 UINT64_MAX};
  const auto check = [&](std::uint64_t d) {
    const divider div(d);
    const std::uint64_t edges[] = {0, 1, d - 1, d, d + 1, UINT64_MAX, UINT64_MAX - 1, UINT64_MAX / d * d};
    for (const std::uint64_t n : edges) ASSERT_EQ(div.divide(n), n / d) << n << " / " << d;
    for (int i = 0; i < 2'000; ++i) {
      const std::uint64_t n = rng() >> (rng() % 64);
      ASSERT_EQ(div.divide(n), n / d) << n << " / " << d;
    }
  };
  for (const std::uint64_t d : fixed) check(d);
  for (int i = 0; i < 2'000; ++i) check(std::max<std::uint64_t>(1, rng() >> (rng() % 64)));
}

}  // namespace
}  // namespace sluice
