// io_uring set-up for one reactor: the best completion-mode flags the kernel offers,
// and the tags that identify each operation in its completions.
//
// Flags, best first: SINGLE_ISSUER + DEFER_TASKRUN (completion work runs only when the
// owner waits: no interrupts of the reactor), else COOP_TASKRUN + TASKRUN_FLAG, else
// none. The completion queue is cq_factor times the submission queue, since multishot
// operations post many completions per submission.
//
// Thread: the ring must be created, submitted to and reaped by the reactor thread.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <string>

namespace sluice {

inline constexpr unsigned cq_factor = 4;

struct uring_setup_result {
  int error = 0;     // negative errno when no mode worked
  std::string mode;  // "single_issuer+defer_taskrun", "coop_taskrun" or "basic"
};

// Initialises `ring` with `entries` submission entries and the best mode available.
[[nodiscard]] uring_setup_result setup_uring(io_uring& ring, unsigned entries);

// The kernel features sluice cannot do without (multishot accept and receive, provided
// buffer rings: Linux 6.0). Returns an empty string when present, else what is missing.
[[nodiscard]] std::string missing_kernel_features();

// Operation tags: the kind of operation, the connection slot and the low 32 bits of the
// slot's generation, so a completion for a slot that has been reused is recognised.
enum class op_kind : std::uint8_t { accept = 1, recv, send, wake, cancel, close_listener };

struct op_tag {
  op_kind kind;
  std::uint32_t slot;        // 24 bits used
  std::uint32_t generation;  // low 32 bits of the slot's generation
};

[[nodiscard]] inline std::uint64_t encode_tag(op_kind kind, std::uint32_t slot, std::uint32_t generation) noexcept {
  return (std::uint64_t{static_cast<std::uint8_t>(kind)} << 56) | (std::uint64_t{slot & 0xff'ffffu} << 32) | generation;
}
[[nodiscard]] inline op_tag decode_tag(std::uint64_t data) noexcept {
  return {static_cast<op_kind>(data >> 56), static_cast<std::uint32_t>(data >> 32) & 0xff'ffffu,
          static_cast<std::uint32_t>(data)};
}
inline constexpr std::uint32_t slot_limit = 1u << 24;  // connection slots a tag can name

}  // namespace sluice
