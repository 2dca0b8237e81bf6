// Session ids and tokens come from a per-thread buffer of the kernel's random bytes:
// no draw repeats another, across refills of the buffer and across threads, and draws
// larger than the buffer serves still come whole.
#include "net/csprng.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace sluice {
namespace {

using id_pair = std::pair<std::uint64_t, std::uint64_t>;

std::vector<id_pair> draw_ids(int count) {
  std::vector<id_pair> ids;
  for (int i = 0; i < count; ++i) {
    const session_id id = random_id128();
    ids.emplace_back(id.hi, id.lo);
  }
  return ids;
}

// 20,000 ids span 625 refills of a 512-byte buffer; a byte handed out twice, or a
// refill that did not happen, would repeat one.
TEST(Csprng, IdsNeverRepeatAcrossRefillsAndThreads) {
  std::vector<id_pair> other;
  std::thread drawing([&] { other = draw_ids(10'000); });
  const std::vector<id_pair> mine = draw_ids(10'000);
  drawing.join();
  std::set<id_pair> seen(mine.begin(), mine.end());
  seen.insert(other.begin(), other.end());
  EXPECT_EQ(seen.size(), 20'000u);
  EXPECT_EQ(seen.count(id_pair{0, 0}), 0u);
}

// 24-byte draws do not divide the 512-byte buffer: every 21st finds 8 bytes left, too
// few, and takes its bytes from a refill. None repeats another.
TEST(Csprng, DrawsThatDoNotFitWhatIsLeftComeFromARefill) {
  std::set<std::array<unsigned char, 24>> seen;
  for (int i = 0; i < 5'000; ++i) {
    std::array<unsigned char, 24> draw{};
    fill_random(draw.data(), draw.size());
    seen.insert(draw);
  }
  EXPECT_EQ(seen.size(), 5'000u);
}

// Draws of every size up to past what the buffer serves, mixed: consecutive ones differ,
// and none comes back all zero (which a draw not filled at all would).
TEST(Csprng, DrawsOfAnySizeComeWholeAndDiffer) {
  for (std::size_t size = 8; size <= 1024; size += 8) {
    std::vector<unsigned char> a(size), b(size);
    fill_random(a.data(), size);
    fill_random(b.data(), size);
    EXPECT_NE(a, b) << size;
    EXPECT_NE(a, std::vector<unsigned char>(size, 0)) << size;
  }
}

}  // namespace
}  // namespace sluice
