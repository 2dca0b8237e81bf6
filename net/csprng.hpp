// Randomness from the operating system's CSPRNG (getrandom), for session ids, resume
// tokens and per-process hash seeds. Any thread. Aborts if the kernel cannot supply
// it: running on without randomness would hand out guessable ids.
//
// Small draws come from a per-thread buffer of the kernel's bytes, refilled 512 bytes
// at a time: a new session draws 32 bytes (its id and resume token), which took four
// system calls, a cost a connect storm paid on every connection. Bytes are wiped from
// the buffer as they are handed out, so it never holds an issued id or token, only
// bytes no session has yet. The server never forks, so no two processes share one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/session_id.hpp"

namespace sluice {

void fill_random(void* out, std::size_t size);
[[nodiscard]] std::uint64_t random_u64();
[[nodiscard]] session_id random_id128();

}  // namespace sluice
