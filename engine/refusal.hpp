// Why the engine refused to admit a connection or open a session.
//
// Every refusal has a code, a short stable name (the reason string sent to the peer in
// an ERROR frame and the label of its metric), and its own counter where it is made.
// Names carry no internals: they say what the peer can act on.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

enum class refusal : std::uint8_t {
  none = 0,
  capacity,           // the shard holds its maximum number of sessions
  rate,               // the source exceeded its connection rate
  penalty,            // the source is in the penalty box after sustained misuse
  concurrency,        // the source holds its maximum number of connections
  source_table_full,  // every tracked source has live connections; no room for a new one
  duplicate_id,       // a session with this id exists already
};
inline constexpr std::size_t refusal_count = 7;

[[nodiscard]] constexpr std::string_view refusal_name(refusal r) noexcept {
  switch (r) {
    case refusal::none:
      return "none";
    case refusal::capacity:
      return "capacity";
    case refusal::rate:
      return "rate";
    case refusal::penalty:
      return "penalty";
    case refusal::concurrency:
      return "concurrency";
    case refusal::source_table_full:
      return "source_table_full";
    case refusal::duplicate_id:
      return "duplicate_id";
  }
  return "unknown";
}

}  // namespace sluice
