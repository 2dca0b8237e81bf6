#include "net/buffer_ring.hpp"

#include <sys/mman.h>

#include "engine/assert.hpp"

namespace sluice {

int buffer_ring::setup(io_uring& ring, std::uint32_t count, std::uint32_t size) {
  SLUICE_ASSERT(count > 0 && count <= 32'768 && (count & (count - 1)) == 0);
  SLUICE_ASSERT(ring_ == nullptr);
  entries_bytes_ = count * sizeof(io_uring_buf);
  // The ring must be page aligned; mmap gives that.
  void* memory = ::mmap(nullptr, entries_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (memory == MAP_FAILED) return -errno;
  entries_ = static_cast<io_uring_buf_ring*>(memory);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(entries_);
  reg.ring_entries = count;
  reg.bgid = group_id;
  if (const int error = io_uring_register_buf_ring(&ring, &reg, 0); error != 0) {
    ::munmap(entries_, entries_bytes_);
    entries_ = nullptr;
    return error;
  }
  ring_ = &ring;
  count_ = count;
  size_ = size;
  storage_ = std::make_unique<std::byte[]>(std::size_t{count} * size);
  io_uring_buf_ring_init(entries_);
  const int mask = io_uring_buf_ring_mask(count);
  for (std::uint32_t id = 0; id < count; ++id) {
    io_uring_buf_ring_add(entries_, storage_.get() + std::size_t{id} * size, size, static_cast<unsigned short>(id),
                          mask, static_cast<int>(id));
  }
  io_uring_buf_ring_advance(entries_, static_cast<int>(count));
  return 0;
}

void buffer_ring::give_back(std::uint16_t id) noexcept {
  SLUICE_DASSERT(id < count_);
  io_uring_buf_ring_add(entries_, storage_.get() + std::size_t{id} * size_, size_, id, io_uring_buf_ring_mask(count_),
                        0);
  io_uring_buf_ring_advance(entries_, 1);
}

// The ring's teardown (io_uring_queue_exit) unregisters the group; the owner tears the
// ring down first, so only the memory is left to free here.
buffer_ring::~buffer_ring() {
  if (entries_ != nullptr) ::munmap(entries_, entries_bytes_);
}

}  // namespace sluice
