#pragma once
// Building a response from a request without keeping any state: what the
// Stack answers locally (400, 413, 513) and what the transaction layer
// refuses statelessly (503 when its pool is full). The output is a whole
// datagram in a caller-owned fixed string.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/sip/via.h"

namespace gw::sip {

struct ResponseExtras {
  // Added to To when the request's To has no tag and the code is above 100
  // (RFC 3261 8.2.6.2); empty: none added.
  std::string_view to_tag;
  // Header lines inserted after CSeq, each ending in CRLF.
  std::string_view headers;
  // Server header value; empty: no Server header.
  std::string_view server;
};

// Writes "SIP/2.0 code reason", every Via of req in order (the top one with
// received / rport filled per RFC 3261 18.2.1 and RFC 3581 when `from`
// differs), From, To, Call-ID, CSeq, the extras and Content-Length: 0.
// Echoed values are copied as bytes (a quoted-pair may hold a NUL).
// InvalidArgument: req lacks From, To, Call-ID, CSeq or Via.
// ResourceExhausted: out is too small (out is then incomplete), or the
//   response would have more than Message::kMaxHeaders header lines.
Status BuildResponse(const Message& req, const net::Endpoint& from, int code,
                     std::string_view reason, const ResponseExtras& extras, StringBase& out);

// Where a response to a request received from `from` goes over UDP
// (RFC 3261 18.2.2, RFC 3581): the source address, and the source port when
// the top Via has rport, else the sent-by port (5060 when absent).
net::Endpoint ResponseDestination(const Via& top_via, const net::Endpoint& from);

// The first value of the first Via header; false when there is none.
bool TopViaValue(const Message& msg, std::string_view& out);

// Appends "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n" (RFC 3261 20.17,
// the RFC 1123 form) for unix_seconds. OutOfRange for a year outside
// 1970..9999 (nothing appended); ResourceExhausted if out is full.
Status AppendDateHeader(StringBase& out, int64_t unix_seconds);

// A To tag of eight hex digits derived from the Call-ID and a salt the
// caller varies per response (FNV-1a: cheap and stable, not secret).
void MakeToTag(std::string_view call_id, uint32_t salt, String<8>& out);

}  // namespace gw::sip
