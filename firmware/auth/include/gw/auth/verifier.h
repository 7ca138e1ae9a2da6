#pragma once
// What the registrar (401, WWW-Authenticate / Authorization) and the proxy
// (407, Proxy-Authenticate / Proxy-Authorization) call:
//
//   1. no credentials for our realm -> BuildChallenges() -> 401/407 with one
//      header per offered algorithm (SHA-256 first, RFC 8760 2.4);
//   2. credentials: ParseCredentials(); refused -> 400 (or a new challenge);
//      look the subscriber up by username and realm, take the HA1 for
//      creds.algorithm, then Verify():
//        kOk -> proceed;  kStale -> challenge again with stale=true;
//        kMalformed -> 400;  everything else -> a fresh challenge (401/407).
//
// Digest uri vs Request-URI (RFC 3261 22.4): equal as strings, or naming
// the same resource: the same SIP URI by scheme, user and host (case-
// insensitive) and parameters, an absent port taken as the scheme's default. Clients
// echo the URI in different forms (sipp adds ":5060"); the response is
// still computed over the client's exact text. Anything else: kUriMismatch.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/auth/credentials.h"
#include "gw/auth/digest.h"
#include "gw/auth/nonce.h"
#include "gw/auth/nonce_count.h"
#include "gw/core/fixed_string.h"
#include "gw/core/status.h"

namespace gw::auth {

constexpr size_t kMaxRealm = 64;
// Room for one challenge header value: realm, nonce and the fixed text.
constexpr size_t kChallengeChars = 80 + kMaxRealm + kNonceChars;

enum class VerifyResult : uint8_t {
  kOk,
  kStale,          // right password on an expired (or forgotten) nonce
  kBadResponse,    // wrong password, or the wrong HA1
  kReplay,         // nc not above the last one accepted for this nonce
  kBadNonce,       // not a nonce of ours (forged, earlier boot, other realm)
  kMalformed,      // credentials refused by the parser, no qop where qop is
                   // required, or an HA1 of the wrong size for the algorithm
  kRealmMismatch,  // realm is not ours (may be meant for another proxy)
  kUriMismatch,    // digest uri is not the Request-URI
};
std::string_view VerifyResultName(VerifyResult r);

struct VerifierConfig {
  std::string_view realm;  // copied; at most kMaxRealm characters
  bool offer_md5 = true;   // also challenge with MD5 (old UAs know no SHA-256)
  // Accept the RFC 2069 form (no qop, hence no nc): such a nonce is good
  // for one request only, its reuse is answered kStale.
  bool allow_no_qop = true;
};

// The header values of one challenge: views into the caller's buffer.
// md5 is empty when MD5 is not offered.
struct Challenges {
  std::string_view sha256;
  std::string_view md5;
};

// Writes `Digest realm="<realm>", nonce="<nonce>", algorithm=<alg>,
// qop="auth"[, stale=true]` into buf. ResourceExhausted if it does not fit
// (kChallengeChars always does for a realm of kMaxRealm); InvalidArgument
// if realm or nonce contain a '"' or '\\' or a control character.
Result<std::string_view> BuildChallenge(std::string_view realm, std::string_view nonce,
                                        Algorithm alg, bool stale, std::span<char> buf);

class Verifier {
 public:
  Verifier(NonceManager& nonces, NonceCountTable& counts) : nonces_(nonces), counts_(counts) {}

  // InvalidArgument: realm empty, longer than kMaxRealm, or not sendable
  // inside a quoted-string.
  Status Init(const VerifierConfig& config);

  // Issues one nonce and writes the challenge values (SHA-256, then MD5 if
  // offered) into buf; 2 * kChallengeChars is always enough.
  // FailedPrecondition before Init (or before the NonceManager's Init);
  // ResourceExhausted if buf is too small.
  Result<Challenges> BuildChallenges(bool stale, std::span<char> buf);

  // Checks parsed credentials against the subscriber's HA1 for
  // creds.algorithm (hex, either case), the request's method ("REGISTER",
  // as on the request line) and its Request-URI. Checks run in the order
  // of the enum's reasons: malformed, realm, uri, nonce, response, then
  // staleness and nonce count; only a verified response records the nc.
  VerifyResult Verify(const Credentials& creds, std::string_view ha1, std::string_view method,
                      std::string_view request_uri);

  std::string_view realm() const { return realm_.view(); }

 private:
  NonceManager& nonces_;
  NonceCountTable& counts_;
  String<kMaxRealm> realm_;
  bool offer_md5_ = true;
  bool allow_no_qop_ = true;
  bool ready_ = false;
};

}  // namespace gw::auth
