#include "net/csprng.hpp"

#include <sys/random.h>

#include <cerrno>

#include "engine/assert.hpp"

namespace sluice {

void fill_random(void* out, std::size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  while (size > 0) {
    const ssize_t got = ::getrandom(bytes, size, 0);
    if (got < 0 && errno == EINTR) continue;
    SLUICE_ASSERT(got > 0);  // blocking getrandom only fails on EINTR or a bad buffer
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
}

std::uint64_t random_u64() {
  std::uint64_t value = 0;
  fill_random(&value, sizeof value);
  return value;
}

session_id random_id128() {
  session_id id;
  // An all-zero id means "no session" on the wire; drawing it is a 2^-128 event, but
  // the loop makes it impossible rather than improbable.
  while (id == session_id{}) {
    id.hi = random_u64();
    id.lo = random_u64();
  }
  return id;
}

}  // namespace sluice
