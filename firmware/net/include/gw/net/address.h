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

}  // namespace gw::net
