// Randomness from the operating system's CSPRNG (getrandom), for session ids, resume
// tokens and per-process hash seeds. Any thread. Aborts if the kernel cannot supply
// it: running on without randomness would hand out guessable ids.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/session_id.hpp"

namespace sluice {

void fill_random(void* out, std::size_t size);
[[nodiscard]] std::uint64_t random_u64();
[[nodiscard]] session_id random_id128();

}  // namespace sluice
