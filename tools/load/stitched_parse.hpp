// Parsing a byte stream that arrives in chunks (a receive buffer each) where it lies,
// copying only what straddles two chunks.
//
// Appending every chunk behind a partial message and parsing the copy cost the harness
// 14% of its samples on a 1 KiB fan-out: nearly every 32 KiB chunk ends inside a message,
// so nearly every chunk was copied. Here `straddle_max` is the longest message expected;
// a chunk lends the cut message at the end of the one before only what it can still lack
// (straddle_max less what of it the first chunk held), and the rest of the chunk is
// parsed in place.
//
// Bound: `carry` holds the end of one chunk that parses as no whole message, and with
// what is lent, at most `straddle_max` bytes; more only while a message longer than that
// is cut, which the parser's own size limit bounds.
// Thread: none of its own; `carry` belongs to the connection's thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "engine/assert.hpp"

namespace sluice::load {

// What one parse call did: the bytes it used (whole messages only) and whether it stopped
// at input that is not the protocol.
struct parse_step {
  std::size_t used = 0;
  bool failed = false;
};

// Parses `chunk` as the continuation of `carry` (the unparsed end of the chunks before)
// with `parse`, a callable taking a std::string_view and returning a parse_step. Each
// byte is parsed as part of a whole message once. Afterwards `carry` holds what was not
// used. Returns false when `parse` failed; nothing after the failure is parsed.
template <class Parse>
[[nodiscard]] bool parse_stitched(std::string& carry, std::string_view chunk, std::size_t straddle_max, Parse&& parse) {
  SLUICE_DASSERT(straddle_max > 0);
  if (!carry.empty()) {
    const std::size_t before = carry.size();
    const std::size_t lent = std::min(chunk.size(), straddle_max > before ? straddle_max - before : 0);
    carry.append(chunk.substr(0, lent));
    const parse_step joined = parse(std::string_view(carry));
    SLUICE_DASSERT(joined.used <= carry.size());
    if (joined.failed || joined.used < before) {
      // Failed, or the cut message needs more than was lent (it is longer than
      // straddle_max): the rest of the chunk joins it.
      if (joined.failed || lent == chunk.size()) {
        carry.erase(0, joined.used);
        return !joined.failed;
      }
      carry.append(chunk.substr(lent));
      const parse_step rest = parse(std::string_view(carry).substr(joined.used));
      SLUICE_DASSERT(rest.used <= carry.size() - joined.used);
      carry.erase(0, joined.used + rest.used);
      return !rest.failed;
    }
    // The cut message is done; what it parsed of the lent bytes is not parsed again.
    chunk.remove_prefix(joined.used - before);
    carry.clear();
  }
  const parse_step step = parse(chunk);
  SLUICE_DASSERT(step.used <= chunk.size());
  carry.assign(chunk.substr(step.used));
  return !step.failed;
}

}  // namespace sluice::load
