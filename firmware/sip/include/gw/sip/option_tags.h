#pragma once
// Option tags (RFC 3261 19.2): the extensions the gateway implements when
// it answers a request itself, and the Require check every such request
// passes (RFC 3261 8.2.2.3). Proxy-Require is the proxy's (16.3 step 4).
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/sip/message.h"

namespace gw::sip {

// The Supported header value of the gateway's own answers (a comma list).
// path: RFC 3327, the registrar stores Path with the binding and echoes it.
inline constexpr std::string_view kSupportedOptionTags = "path";

// True when every option tag in req's Require headers is listed in
// `supported` (a comma list such as kSupportedOptionTags; tags compared
// case-insensitively, as Kamailio does: RFC 3261 leaves it open and no
// registered tag differs only in case). Otherwise false, with the line
// "Unsupported: tag1, tag2\r\n" appended to `headers`: the caller answers
// 420 Bad Extension with it. ACK and CANCEL always pass (8.2.2.3: Require is
// not honoured on them). Tags that would not fit `headers` are left out of
// the list (a complete line is always written when the first one fits).
// True when option tag `tag` is listed in any header `id` of msg (e.g.
// Supported: path), compared as RequireSupported does.
bool HasOptionTag(const Message& msg, HeaderId id, std::string_view tag);

[[nodiscard]] bool RequireSupported(const Message& req, std::string_view supported,
                                    StringBase& headers);

}  // namespace gw::sip
