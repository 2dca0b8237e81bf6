#include "net/csprng.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "engine/assert.hpp"

namespace sluice {
namespace {

constexpr std::size_t buffer_bytes = 512;
constexpr std::size_t buffered_draw_max = 64;  // larger draws go straight to the kernel

void fill_from_kernel(unsigned char* bytes, std::size_t size) {
  while (size > 0) {
    const ssize_t got = ::getrandom(bytes, size, 0);
    if (got < 0 && errno == EINTR) continue;
    SLUICE_ASSERT(got > 0);  // blocking getrandom only fails on EINTR or a bad buffer
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
}

struct random_buffer {
  std::array<unsigned char, buffer_bytes> bytes{};
  std::size_t used = buffer_bytes;  // everything before `used` is handed out and wiped

  void take(unsigned char* out, std::size_t size) {
    if (buffer_bytes - used < size) {
      fill_from_kernel(bytes.data(), buffer_bytes);
      used = 0;
    }
    std::memcpy(out, bytes.data() + used, size);
    ::explicit_bzero(bytes.data() + used, size);
    used += size;
  }

  ~random_buffer() {
    ::explicit_bzero(bytes.data(), bytes.size());
    used = buffer_bytes;  // a draw after this (undefined, but cheap to guard) refills first
  }
};

}  // namespace

void fill_random(void* out, std::size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  if (size > buffered_draw_max) return fill_from_kernel(bytes, size);
  thread_local random_buffer buffer;
  buffer.take(bytes, size);
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
    std::array<std::uint64_t, 2> halves{};
    fill_random(halves.data(), sizeof halves);
    id.hi = halves[0];
    id.lo = halves[1];
  }
  return id;
}

}  // namespace sluice
