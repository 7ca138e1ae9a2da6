#pragma once
// Who the gateway is, and the one place that answers "is this address,
// host, URI or Via mine". Its own interface address and port, and the
// advertised ones (SIP.ADVERTISE_ADDR/PORT: what others must use when the
// gateway sits behind a NAT or a port forward), and its domain.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"

namespace gw::sip {

// The port of a SIP URI or Via sent-by without one (RFC 3261 19.1.2, UDP).
inline constexpr uint16_t kDefaultPort = 5060;
// Max-Forwards of the requests the gateway starts, and of a forwarded one
// that had none (RFC 3261 8.1.1.6, 16.6 step 3).
inline constexpr unsigned kInitialMaxForwards = 70;

struct LocalIdentity {
  uint32_t address = 0;             // own interface address
  uint32_t advertised_address = 0;  // SIP.ADVERTISE_ADDR, 0 if unset
  uint16_t port = kDefaultPort;
  uint16_t advertised_port = 0;  // 0: same as port
  String<64> domain;             // SIP.DOMAIN

  // The address and port others reach us at: the advertised ones when set.
  uint32_t public_address() const { return advertised_address != 0 ? advertised_address : address; }
  uint16_t public_port() const { return advertised_port != 0 ? advertised_port : port; }
  // Appends "ADDR:PORT" as others must reach us (Via sent-by, Record-Route).
  Status AppendHostPort(StringBase& out) const;

  bool IsOwnAddress(uint32_t addr) const {
    return addr == address || (advertised_address != 0 && addr == advertised_address);
  }
  // port 0 stands for the default port.
  bool IsOwnPort(uint16_t p) const {
    const uint16_t n = p != 0 ? p : kDefaultPort;
    return n == port || n == public_port();
  }
  // An IPv4 literal of ours, or SIP.DOMAIN (case-insensitive).
  bool IsOwnHost(std::string_view host) const;
  // A SIP URI naming the gateway: own host, and own port or none.
  bool OwnsUri(std::string_view uri) const;
};

// Whether a Request-URI names the gateway (LocalIdentity::OwnsUri).
inline bool IsLocalUri(const LocalIdentity& identity, std::string_view uri) {
  return identity.OwnsUri(uri);
}

}  // namespace gw::sip
