// Invariant checks for the engine.
//
// SLUICE_ASSERT stays on in release builds: use it for cheap checks (a compare, a
// bounds test) whose failure means memory or accounting is already wrong, where
// carrying on would corrupt state. SLUICE_DASSERT is for checks too costly for the
// hot path (a walk, a recount); it compiles away unless NDEBUG is undefined.
// Thread: any. Neither allocates.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace sluice::detail {

[[noreturn]] inline void assert_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "sluice: invariant failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}

}  // namespace sluice::detail

#define SLUICE_ASSERT(expr) ((expr) ? static_cast<void>(0) : ::sluice::detail::assert_failed(#expr, __FILE__, __LINE__))

#ifdef NDEBUG
#define SLUICE_DASSERT(expr) static_cast<void>(0)
#else
#define SLUICE_DASSERT(expr) SLUICE_ASSERT(expr)
#endif
