#include "engine/session_id.hpp"

namespace sluice {

std::string to_hex(const session_id& id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[static_cast<std::size_t>(15 - i)] = digits[(id.hi >> (4 * i)) & 0xf];
    out[static_cast<std::size_t>(31 - i)] = digits[(id.lo >> (4 * i)) & 0xf];
  }
  return out;
}

}  // namespace sluice
