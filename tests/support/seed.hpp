// Seeds for randomized tests: SLUICE_SEED from the environment replays a run; otherwise
// a fresh seed is drawn. Either way it is printed, so any failure can be replayed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace sluice::test {

inline std::uint64_t test_seed(const char* test_name) {
  std::uint64_t seed = 0;
  if (const char* text = std::getenv("SLUICE_SEED"); text != nullptr && *text != '\0') {
    seed = std::strtoull(text, nullptr, 10);
  } else {
    std::random_device device;
    seed = (std::uint64_t{device()} << 32) ^ device();
  }
  std::printf("%s: seed=%llu (replay: SLUICE_SEED=%llu)\n", test_name, static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  return seed;
}

// Step counts for model tests: SLUICE_MODEL_STEPS overrides the default.
inline std::uint64_t model_steps(std::uint64_t fallback) {
  if (const char* text = std::getenv("SLUICE_MODEL_STEPS"); text != nullptr && *text != '\0') {
    return std::strtoull(text, nullptr, 10);
  }
  return fallback;
}

}  // namespace sluice::test
