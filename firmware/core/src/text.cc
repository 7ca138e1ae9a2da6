#include "gw/core/text.h"

namespace gw {

bool ParseDecimal(std::string_view digits, uint64_t max, uint64_t& out) {
  if (digits.empty()) return false;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<uint64_t>(c - '0');
    // value * 10 + d <= max, without computing anything that could wrap.
    if (d > max || value > (max - d) / 10) return false;
    value = value * 10 + d;
  }
  out = value;
  return true;
}

}  // namespace gw
