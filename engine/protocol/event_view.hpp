// Reading and stamping an EVENT frame that is already encoded, as the topics code keeps
// it (one encoding shared by every subscriber): its topic, and its sequence, which the
// topic's owner writes in after the publisher's shard encoded it with 0.
// The frame must be a valid EVENT produced by encode_frame (asserted in debug builds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "engine/assert.hpp"
#include "engine/protocol/frame.hpp"
#include "engine/protocol/wire.hpp"

namespace sluice::proto {

[[nodiscard]] inline std::string_view event_topic_of(std::span<const std::byte> event) noexcept {
  SLUICE_DASSERT(event.size() >= wire::event_fixed_size &&
                 event[wire::type_at] == static_cast<std::byte>(frame_type::event));
  const auto size = wire::load_le<std::uint16_t>(event.data() + wire::event_topic_len_at);
  SLUICE_DASSERT(wire::event_fixed_size + size <= event.size());
  return wire::text_at(event.data() + wire::event_fixed_size, size);
}

[[nodiscard]] inline std::uint64_t event_seq_of(std::span<const std::byte> event) noexcept {
  SLUICE_DASSERT(event.size() >= wire::event_fixed_size);
  return wire::load_le<std::uint64_t>(event.data() + wire::event_seq_at);
}

inline void stamp_event_seq(std::span<std::byte> event, std::uint64_t seq) noexcept {
  SLUICE_DASSERT(event.size() >= wire::event_fixed_size);
  wire::store_le(event.data() + wire::event_seq_at, seq);
}

}  // namespace sluice::proto
