// xxh3 hashing for the engine's tables and shard routing.
//
// Tables keyed by peer-chosen values (session ids in a resume, client message ids,
// source addresses) hash with a per-process secret seed, so a peer cannot aim many
// keys at one probe chain. Shard routing uses seed 0: it must agree across threads
// and, later, across processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/session_id.hpp"

namespace sluice {

[[nodiscard]] std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t seed) noexcept;

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
