#include "gw/net/address.h"

namespace gw::net {

bool ParseIp4(std::string_view text, uint32_t& out) {
  uint32_t value = 0;
  int octets = 0;
  size_t i = 0;
  while (octets < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    uint32_t octet = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++digits > 3) return false;
      octet = octet * 10 + static_cast<uint32_t>(text[i] - '0');
      ++i;
    }
    if (octet > 255) return false;
    value = (value << 8) | octet;
    ++octets;
    if (octets < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  if (i != text.size()) return false;
  out = value;
  return true;
}

Status AppendIp4(StringBase& out, uint32_t addr) {
  return out.Format("%u.%u.%u.%u", static_cast<unsigned>(addr >> 24),
                    static_cast<unsigned>((addr >> 16) & 0xFF),
                    static_cast<unsigned>((addr >> 8) & 0xFF), static_cast<unsigned>(addr & 0xFF));
}

}  // namespace gw::net
