// What reactors send each other through their inboxes. Each message moves ownership:
// an fd in a message belongs to the receiver once posted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "engine/session_id.hpp"
#include "engine/source_limiter.hpp"

namespace sluice {

// A connection just accepted elsewhere, for the reactor that owns its source address:
// that reactor runs source admission and the handshake.
struct adopt_connection {
  int fd = -1;
  source_address source;
};

// A connection whose HELLO named (or drew) a session this reactor owns. `pending` holds
// the bytes that arrived after the HELLO.
struct adopt_session {
  int fd = -1;
  source_address source;
  std::uint32_t source_reactor = 0;  // holds the connection's source admission slot
  bool resume = false;
  session_id id;
  session_id resume_token;
  std::uint64_t last_seq = 0;
  std::vector<std::byte> pending;
};

// Connections admitted by this reactor's source limiter have ended elsewhere.
struct release_source {
  source_address source;
  std::uint32_t count = 1;
};

// A connection from a source this reactor admits broke the protocol.
struct source_misuse {
  source_address source;
};

using reactor_message = std::variant<std::monostate, adopt_connection, adopt_session, release_source, source_misuse>;

}  // namespace sluice
