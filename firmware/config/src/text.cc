#include "gw/config/text.h"

#include "gw/core/text.h"

namespace gw::config {

bool ParseInt(std::string_view text, int64_t& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  // Symmetric range: INT64_MIN has no positive twin and no config needs it.
  uint64_t magnitude = 0;
  if (!ParseDecimal(text, static_cast<uint64_t>(INT64_MAX), magnitude)) return false;
  out = negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

bool ParseIp4(std::string_view text, uint32_t& out) {
  uint32_t addr = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
    size_t digits = 0;
    uint32_t octet = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
      octet = octet * 10 + static_cast<uint32_t>(text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 3 || octet > 255) return false;
    addr = (addr << 8) | octet;
  }
  if (i != text.size()) return false;
  out = addr;
  return true;
}

bool ParseBool(std::string_view text, bool& out) {
  for (std::string_view t : {"TRUE", "YES", "ON", "1"}) {
    if (EqualsIgnoreCase(text, t)) {
      out = true;
      return true;
    }
  }
  for (std::string_view f : {"FALSE", "NO", "OFF", "0"}) {
    if (EqualsIgnoreCase(text, f)) {
      out = false;
      return true;
    }
  }
  return false;
}

}  // namespace gw::config
