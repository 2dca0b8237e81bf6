// Property: random frames of every type, encoded back to back into one stream and fed
// to the decoder in random chunks (1 byte up to the whole stream), come back equal, in
// order, with need_more asking for exactly the next milestone each time. Prints its
// seed; SLUICE_SEED replays a run, SLUICE_MODEL_STEPS sets the number of streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "tests/support/seed.hpp"

namespace sluice::proto {
namespace {

// Draws random frames; owns the bytes their views point at (a deque never moves them).
class frame_source {
 public:
  explicit frame_source(std::mt19937_64& rng) : rng_(rng) {}

  frame next() {
    switch (rng_() % 12) {
      case 0: {
        hello_frame h{.resume = rng_() % 2 == 0, .token = text(rng_() % 8 == 0 ? token_max : rng_() % 64)};
        if (h.resume) h = {.resume = true, .id = id(), .resume_token = id(), .last_seq = rng_(), .token = h.token};
        return h;
      }
      case 1:
        return welcome_frame{.resumed = rng_() % 2 == 0,
                             .id = id(),
                             .resume_token = id(),
                             .last_seq = rng_(),
                             .idle_timeout_ms = u32(),
                             .resume_window_ms = u32(),
                             .max_frame = u32()};
      case 2:
        return ping_frame{.nonce = rng_(), .payload = text(payload_size())};
      case 3:
        return pong_frame{.nonce = rng_(), .payload = text(payload_size())};
      case 4:
        return error_frame{.code = code(), .reason = text(reason_size())};
      case 5:
        return goaway_frame{.code = code(), .reconnect_after_ms = u32(), .reason = text(reason_size())};
      case 6:
        return close_frame{.code = code(), .reason = text(reason_size())};
      case 7: {
        const bool has_from_seq = rng_() % 2 == 0;
        return subscribe_frame{.request_id = rng_(),
                               .has_from_seq = has_from_seq,
                               .from_seq = has_from_seq ? rng_() : 0,
                               .topic = topic()};
      }
      case 8:
        return unsubscribe_frame{.request_id = rng_(), .topic = topic()};
      case 9:
        return publish_frame{
            .ack = rng_() % 2 == 0, .request_id = rng_(), .topic = topic(), .payload = text(payload_size())};
      case 10:
        return ack_frame{.duplicate = rng_() % 2 == 0,
                         .truncated = rng_() % 2 == 0,
                         .request_id = rng_(),
                         .seq = rng_(),
                         .status = code(),
                         .request_type = static_cast<frame_type>(rng_() % 4 == 0 ? rng_() % 0x100 : 0x10 + rng_() % 3)};
      default: {
        if (rng_() % 4 != 0) return event_frame{.seq = rng_(), .topic = topic(), .payload = text(payload_size())};
        return event_frame{.gap = true, .seq = rng_(), .topic = topic(), .payload = text(gap_payload_size)};
      }
    }
  }

 private:
  std::string_view text(std::size_t size) {
    std::string& s = texts_.emplace_back(size, '\0');
    for (std::size_t at = 0; at < size; at += 8) {  // 8 random bytes per draw: big payloads stay cheap
      const std::uint64_t bits = rng_();
      std::memcpy(s.data() + at, &bits, std::min<std::size_t>(8, size - at));
    }
    return s;
  }
  // Mostly valid names up to topic_max; sometimes any bytes of any u16 length, which the
  // codec carries as well (the server refuses them, the decoder does not).
  std::string_view topic() {
    const unsigned dice = rng_() % 100;
    if (dice < 90) {
      static constexpr std::string_view charset = "ABCXYZabcxyz0189._-/:";
      std::string& s = texts_.emplace_back(1 + rng_() % topic_max, '\0');
      for (char& c : s) c = charset[rng_() % charset.size()];
      return s;
    }
    return text(dice < 99 ? rng_() % (topic_max + 8) : rng_() % 0x10000);
  }
  session_id id() {
    const std::uint64_t hi = rng_();
    return {.hi = hi, .lo = rng_()};
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }
  // Mostly known codes; sometimes any u16, as a newer peer might send.
  error_code code() { return static_cast<error_code>(rng_() % 4 == 0 ? rng_() % 0x10000 : rng_() % error_code_count); }
  std::size_t reason_size() { return rng_() % 4 == 0 ? reason_max - rng_() % 2 : rng_() % (reason_max + 1); }
  std::size_t payload_size() {
    const unsigned dice = rng_() % 100;
    if (dice < 15) return 0;
    if (dice < 85) return rng_() % 256;
    if (dice < 99) return rng_() % 8192;
    return rng_() % (400 * 1024);
  }

  std::mt19937_64& rng_;
  std::deque<std::string> texts_;
};

// Buffers a stream the way a connection would and checks each decode against the frames
// that were encoded into it.
class checking_reader {
 public:
  checking_reader(const std::vector<frame>& frames, const std::vector<std::size_t>& sizes)
      : frames_(frames), sizes_(sizes) {}

  void feed(std::span<const std::byte> chunk) {
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
    for (;;) {
      const std::span<const std::byte> unread = std::span<const std::byte>(buffer_).subspan(start_);
      const decode_result r = decode_frame(unread, max_frame_default);
      ASSERT_NE(r.status, decode_status::error) << error_code_name(r.error) << " at frame " << next_;
      if (r.status == decode_status::need_more) {
        if (next_ == frames_.size()) {  // all decoded: only the length of a next frame can be asked for
          ASSERT_TRUE(unread.empty());
          ASSERT_EQ(r.size, 4u);
          break;
        }
        const std::size_t milestone = unread.size() < 4 ? 4 : unread.size() < 8 ? 8 : sizes_[next_];
        ASSERT_EQ(r.size, milestone) << "frame " << next_ << " with " << unread.size() << " bytes";
        break;
      }
      ASSERT_LT(next_, frames_.size());
      ASSERT_EQ(r.size, sizes_[next_]) << "frame " << next_;
      ASSERT_EQ(r.value, frames_[next_]) << "frame " << next_ << " (" << frame_type_name(type_of(frames_[next_]))
                                         << ")";
      ++next_;
      start_ += r.size;
    }
    if (start_ > buffer_.size() / 2) {  // drop consumed bytes now and then, as a connection buffer would
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
      start_ = 0;
    }
  }

  [[nodiscard]] std::size_t decoded() const { return next_; }
  [[nodiscard]] std::size_t unread() const { return buffer_.size() - start_; }

 private:
  const std::vector<frame>& frames_;
  const std::vector<std::size_t>& sizes_;
  std::vector<std::byte> buffer_;
  std::size_t start_ = 0;
  std::size_t next_ = 0;
};

TEST(protocol_roundtrip, random_frames_in_random_chunks_decode_to_the_originals) {
  const std::uint64_t seed = test::test_seed("protocol_roundtrip");
  std::mt19937_64 rng(seed);
  const std::uint64_t streams = test::model_steps(200);
  for (std::uint64_t stream_index = 0; stream_index < streams; ++stream_index) {
    SCOPED_TRACE(testing::Message() << "stream " << stream_index << " seed " << seed);
    frame_source source(rng);
    std::vector<frame> frames(1 + rng() % 60);
    std::vector<std::size_t> sizes;
    std::size_t total = 0;
    for (frame& f : frames) {
      f = source.next();
      sizes.push_back(encoded_size(f));
      total += sizes.back();
    }
    std::vector<std::byte> stream(total);
    std::size_t at = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      ASSERT_EQ(encode_frame(frames[i], std::span<std::byte>(stream).subspan(at)), sizes[i]);
      at += sizes[i];
    }

    // One chunk-size ceiling per stream, so some streams arrive a byte at a time; big
    // streams only in bigger chunks, to keep the test fast under sanitizers.
    const std::size_t ceilings[] = {1, 3, 9, 64, 1500, 65536, total};
    std::size_t ceiling = ceilings[rng() % std::size(ceilings)];
    if (total > 16 * 1024) ceiling = std::max<std::size_t>(ceiling, 1500);
    checking_reader reader(frames, sizes);
    for (std::size_t fed = 0; fed < total;) {
      const std::size_t chunk = std::min<std::size_t>(total - fed, 1 + rng() % ceiling);
      reader.feed(std::span<const std::byte>(stream).subspan(fed, chunk));
      if (HasFatalFailure()) return;
      fed += chunk;
    }
    ASSERT_EQ(reader.decoded(), frames.size());
    ASSERT_EQ(reader.unread(), 0u);
  }
}

}  // namespace
}  // namespace sluice::proto
