#pragma once
// Parsing of an Authorization / Proxy-Authorization header value
// (RFC 3261 25.1 "credentials", RFC 7616 3.4):
//
//   Digest username="bob", realm="gw", nonce="...", uri="sip:gw",
//          response="...", algorithm=SHA-256, qop=auth, nc=00000001,
//          cnonce="...", opaque="..."
//
// The scheme is case-insensitive, so are parameter names. Values are tokens
// or quoted-strings (quoted-pairs allowed); they are kept as views into the
// header value, escapes in place (see ParamText). Parameters this gateway
// does not know (userhash, username*, auth-param extensions) are ignored;
// a known one given twice refuses the whole header. Linear whitespace,
// including the folded CRLF the SIP parser leaves in values, is allowed
// wherever RFC 3261 allows LWS.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/auth/digest.h"
#include "gw/core/status.h"

namespace gw::auth {

// Longest header value looked at; longer ones are refused unread.
constexpr size_t kMaxCredentialsLength = 2048;
// Parameters (known and unknown) per header.
constexpr size_t kMaxCredentialsParams = 24;

enum class CredentialsError : uint8_t {
  kNone = 0,
  kEmpty,                 // nothing but whitespace
  kTooLong,               // longer than kMaxCredentialsLength
  kNotDigest,             // another scheme (Basic, Bearer, ...)
  kSyntax,                // not name=value pairs separated by commas
  kUnterminatedQuote,     // a quoted-string (or a quoted-pair) runs off the end
  kTooManyParams,         // more than kMaxCredentialsParams
  kDuplicateParam,        // a known parameter given twice
  kMissingParam,          // username, realm, nonce, uri or response absent;
                          // nc or cnonce absent with qop
  kUnexpectedParam,       // nc or cnonce without qop (RFC 2617 3.2.2)
  kUnsupportedAlgorithm,  // not MD5 / SHA-256 (the -sess variants included)
  kUnsupportedQop,        // qop other than auth (auth-int)
  kBadNonceCount,         // nc not exactly 8 hex digits, or zero
  kBadResponse,           // response not hex of the algorithm's length
};
std::string_view CredentialsErrorText(CredentialsError e);

struct Credentials {
  ParamText username;
  ParamText realm;
  ParamText nonce;
  ParamText uri;
  ParamText response;
  ParamText cnonce;
  ParamText opaque;
  ParamText nc_text;                      // the 8 hex digits as sent (hashed as is)
  uint32_t nc = 0;                        // nc_text's value; 0 when absent
  Algorithm algorithm = Algorithm::kMd5;  // RFC 2617: MD5 when absent
  bool has_algorithm = false;
  bool has_qop = false;  // qop=auth (the only one accepted)
  bool has_opaque = false;
  CredentialsError error = CredentialsError::kNone;
};

// Parses `value` into `out` (views into value, which must outlive out).
// Returns InvalidArgument when the header is refused, with out.error saying
// why; Ok otherwise.
Status ParseCredentials(std::string_view value, Credentials& out);

}  // namespace gw::auth
