// Every binary allocates through mimalloc (outside sanitizer builds, where the
// sanitizer's allocator must own the heap).
#include <gtest/gtest.h>

#include <memory>

#ifdef SLUICE_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace {

TEST(allocator, operator_new_and_malloc_come_from_mimalloc) {
#ifdef SLUICE_WITH_MIMALLOC
  auto object = std::make_unique<int[]>(1000);
  void* raw = std::malloc(64);
  EXPECT_TRUE(mi_is_in_heap_region(object.get()));
  EXPECT_TRUE(mi_is_in_heap_region(raw));
  std::free(raw);
#else
  GTEST_SKIP() << "sanitizer build: the sanitizer owns the heap";
#endif
}

}  // namespace
