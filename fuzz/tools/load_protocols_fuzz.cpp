// Fuzzes what sluice-load parses from a server (sluice frames, RESP, the NATS text
// protocol), as an opening's answer and as a stream, in chunks of every split: no
// crash, no read past the input, consumption never beyond what was given, and every
// delivery's views inside the input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/load/protocols.hpp"

namespace {

using namespace sluice::load;

class bounds_sink final : public delivery_sink {
 public:
  explicit bounds_sink(std::string_view in) : in_(in) {}
  void on_delivery(std::string_view topic, std::string_view payload) override {
    for (const std::string_view part : {topic, payload}) {
      if (part.empty()) continue;
      if (part.data() < in_.data() || part.data() + part.size() > in_.data() + in_.size()) std::abort();
    }
  }

 private:
  std::string_view in_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto kind = static_cast<target_kind>(data[0] % 3);
  const bool subscriber = (data[1] & 1) != 0;
  const std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::unique_ptr<protocol> proto = make_protocol(kind);

  std::size_t used = 0;
  std::string error;
  (void)proto->parse_opening(input, subscriber, used, error);
  if (used > input.size()) std::abort();

  // The stream as a client reads it: appended piece by piece, consumed from the front.
  std::string buffer;
  std::string reply;
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t piece = 1 + static_cast<std::size_t>(input[at]) % 64;
    buffer.append(input, at, piece);
    at += piece;
    bounds_sink sink(buffer);
    error.clear();
    const std::size_t consumed = proto->parse(buffer, sink, reply, error);
    if (consumed > buffer.size()) std::abort();
    buffer.erase(0, consumed);
    if (!error.empty()) break;  // a client stops reading a stream it cannot parse
  }
  return 0;
}
