// A 128-bit session id. net/ draws it from the OS CSPRNG (getrandom); the engine only
// compares, hashes and prints it. Value type, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace sluice {

struct session_id {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;

  friend constexpr bool operator==(const session_id&, const session_id&) = default;
};

// 32 lowercase hex digits, hi first: the form logs and the admin API show.
[[nodiscard]] std::string to_hex(const session_id& id);

}  // namespace sluice
