#include "engine/hash.hpp"

#include <xxhash.h>

namespace sluice {

std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t seed) noexcept {
  return XXH3_64bits_withSeed(data, size, seed);
}

}  // namespace sluice
