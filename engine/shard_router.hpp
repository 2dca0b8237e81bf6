// Which shard owns a session or a topic: xxh3 of the key, reduced to [0, shard_count)
// by a 64x64->128 multiply (Lemire's range reduction), which uses the hash's high bits
// and costs no division. Seed 0, so every thread (and, later, every process) agrees.
// Pure functions: any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/assert.hpp"
#include "engine/hash.hpp"
#include "engine/session_id.hpp"

namespace sluice {

[[nodiscard]] inline std::uint32_t reduce_to_range(std::uint64_t hash, std::uint32_t range) noexcept {
  SLUICE_ASSERT(range > 0);
  return static_cast<std::uint32_t>((static_cast<unsigned __int128>(hash) * range) >> 64);
}

[[nodiscard]] inline std::uint32_t shard_of(const session_id& id, std::uint32_t shard_count) noexcept {
  return reduce_to_range(hash_session_id(id, 0), shard_count);
}

[[nodiscard]] inline std::uint32_t shard_of_topic(std::string_view topic, std::uint32_t shard_count) noexcept {
  return reduce_to_range(hash_string(topic, 0), shard_count);
}

}  // namespace sluice
