#pragma once
// On-demand parsing of one Via value and of a SIP URI: views, bounded.
#include <cstdint>
#include <string_view>

#include "gw/core/status.h"

namespace gw::sip {

struct Via {
  std::string_view transport;  // "UDP", "TCP", ...
  std::string_view host;       // without [] for IPv6 references
  uint16_t port = 0;           // 0 when absent
  std::string_view branch;
  std::string_view received;
  bool has_rport = false;
  std::string_view rport;   // empty when "rport" has no value
  uint16_t rport_port = 0;  // rport's value (1..65535), 0 when it has none
};

// Parses "SIP/2.0/UDP host[:port];params". InvalidArgument when malformed,
// including a port or an rport value that is not 1..65535.
Status ParseVia(std::string_view value, Via& out);

struct Uri {
  std::string_view scheme;  // "sip", "sips", "tel", ...
  std::string_view user;
  std::string_view host;    // without [] for IPv6 references
  uint16_t port = 0;        // 0 when absent
  std::string_view params;  // after the first ';' (without it), up to '?'
};

// Parses a SIP/SIPS URI (RFC 3261 19.1). InvalidArgument when malformed;
// Unimplemented for other schemes (the scheme is still set).
Status ParseUri(std::string_view text, Uri& out);

// The URI inside a name-addr ("Bob" <sip:b@x>;tag=1) or an addr-spec
// (sip:b@x;tag=1: the header params then belong to the header, so they
// are cut at the first ';' after the host per RFC 3261 20.10).
std::string_view AddrSpecOf(std::string_view name_addr);
// The value of header parameter `name` (e.g. "tag") after the addr part, or
// empty; found=false when absent.
std::string_view HeaderParam(std::string_view value, std::string_view name, bool& found);

}  // namespace gw::sip
