// xxh3 hashing for the engine's tables and shard routing.
//
// Tables keyed by peer-chosen values (session ids in a resume, client message ids,
// source addresses) hash with a per-process secret seed, so a peer cannot aim many
// keys at one probe chain. Shard routing uses seed 0: it must agree across threads
// and, later, across processes.
//
// xxh3 is compiled inline here (XXH_INLINE_ALL) rather than called in libxxhash: the
// keys are mostly 8 or 16 bytes, where a call into the shared library cost more than
// the hash itself (6.6% of a reactor's time under a 50-pair publish load, measured
// with perf). The inline copy's symbols are private, and its results are the
// library's, so shard routing is unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "engine/session_id.hpp"

namespace sluice {

[[nodiscard]] inline std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t seed) noexcept {
  return XXH3_64bits_withSeed(data, size, seed);
}

[[nodiscard]] inline std::uint64_t hash_session_id(const session_id& id, std::uint64_t seed) noexcept {
  const std::uint64_t words[2] = {id.hi, id.lo};
  return hash_bytes(words, sizeof(words), seed);
}

[[nodiscard]] inline std::uint64_t hash_u64(std::uint64_t value, std::uint64_t seed) noexcept {
  return hash_bytes(&value, sizeof(value), seed);
}

[[nodiscard]] inline std::uint64_t hash_string(std::string_view text, std::uint64_t seed) noexcept {
  return hash_bytes(text.data(), text.size(), seed);
}

}  // namespace sluice
