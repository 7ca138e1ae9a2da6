#pragma once
// IPv4 endpoints as plain values (no lwIP types), host byte order.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"

namespace gw::net {

struct Endpoint {
  uint32_t addr = 0;  // a.b.c.d as (a << 24) | ... (host order)
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

constexpr uint32_t MakeIp4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

// Parses dotted-quad text strictly (four decimal octets, no spaces).
bool ParseIp4(std::string_view text, uint32_t& out);
// Appends a.b.c.d to out.
Status AppendIp4(StringBase& out, uint32_t addr);

// An IPv4 network, a.b.c.d/len (a bare address is a /32).
struct Ip4Net {
  uint32_t addr = 0;  // the network's first address (host bits zero)
  uint32_t mask = 0;  // 0 for /0, 0xFFFFFFFF for /32
  bool Contains(uint32_t a) const { return (a & mask) == addr; }
  friend bool operator==(const Ip4Net&, const Ip4Net&) = default;
};

// Parses "a.b.c.d" or "a.b.c.d/len" (len 0..32). Host bits set below the
// prefix are refused (a typo more often than intent): false.
bool ParseIp4Net(std::string_view text, Ip4Net& out);

// A short list of networks, "net[,net...]" with optional spaces after the
// commas; empty text is the empty list. The list's use decides whether
// empty means "none" or "any".
struct Ip4NetList {
  static constexpr size_t kMax = 8;
  Ip4Net nets[kMax];
  size_t count = 0;
  bool Contains(uint32_t a) const {
    for (size_t i = 0; i < count; ++i)
      if (nets[i].Contains(a)) return true;
    return false;
  }
};

// False when an element does not parse or there are more than kMax.
bool ParseIp4NetList(std::string_view text, Ip4NetList& out);

// Appends "a.b.c.d/len" ("a.b.c.d" for a /32). ResourceExhausted if out
// is full.
Status AppendIp4Net(StringBase& out, const Ip4Net& net);
// Appends the list as "net,net,...": never longer than text that parsed
// into it. ResourceExhausted if out is full.
Status AppendIp4NetList(StringBase& out, const Ip4NetList& list);

}  // namespace gw::net
