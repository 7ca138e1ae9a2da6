#pragma once
// On-demand parsing of one Via value and of a SIP URI: views, bounded.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"

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

// Appends a received Via value (the top one of a request from `from`) as
// the next element must see it: a valueless rport filled with the source
// port (RFC 3581 4), and received=<source address> when the sent-by is not
// that address or rport was asked for (RFC 3581 4 wants it then in any
// case). A value that does not parse is appended as it is.
Status AppendStampedVia(StringBase& out, std::string_view via_text, const net::Endpoint& from);

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
// empty; found=false when absent. Parameters are split at ';' outside
// quoted strings, and a quoted value is returned with its quotes
// (`+sip.instance="<urn:uuid:...>"` gives "\"<urn:uuid:...>\"").
std::string_view HeaderParam(std::string_view value, std::string_view name, bool& found);

// The tag parameter of header `id` (From or To) of m, or empty.
std::string_view TagOf(const Message& m, HeaderId id);
// The addr-spec of the first header `id` of m (From, To, Contact), or empty.
std::string_view AddrOf(const Message& m, HeaderId id);
// The user part of a SIP URI, or empty (no user part, or no SIP URI).
std::string_view UserOf(std::string_view uri_text);

}  // namespace gw::sip
