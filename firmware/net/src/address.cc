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

bool ParseIp4Net(std::string_view text, Ip4Net& out) {
  const size_t slash = text.find('/');
  uint32_t addr = 0;
  if (!ParseIp4(text.substr(0, slash), addr)) return false;
  uint32_t len = 32;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 2) return false;
    len = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      len = len * 10 + static_cast<uint32_t>(c - '0');
    }
    if (len > 32) return false;
  }
  const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  if ((addr & ~mask) != 0) return false;
  out = {addr, mask};
  return true;
}

bool ParseIp4NetList(std::string_view text, Ip4NetList& out) {
  Ip4NetList list;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (list.count == Ip4NetList::kMax || !ParseIp4Net(item, list.nets[list.count])) return false;
    ++list.count;
    pos = comma + 1;
    if (comma + 1 == text.size()) return false;  // a trailing comma
  }
  out = list;
  return true;
}

Status AppendIp4Net(StringBase& out, const Ip4Net& net) {
  GW_TRY(AppendIp4(out, net.addr));
  if (net.mask == ~uint32_t{0}) return Status::Ok();
  unsigned len = 0;
  for (uint32_t m = net.mask; m != 0; m <<= 1) ++len;
  return out.Format("/%u", len);
}

Status AppendIp4NetList(StringBase& out, const Ip4NetList& list) {
  for (size_t i = 0; i < list.count; ++i) {
    if (i > 0) GW_TRY(out.push_back(','));
    GW_TRY(AppendIp4Net(out, list.nets[i]));
  }
  return Status::Ok();
}

}  // namespace gw::net
