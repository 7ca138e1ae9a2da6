#pragma once
// Digest computations of RFC 2617 / RFC 7616 (MD5, SHA-256), qop=auth and
// the RFC 2069 form without qop. All values are lower-case hex text.
//
//   HA1      = H(username ":" realm ":" password)
//   HA2      = H(method ":" digest-uri)
//   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   qop=auth
//   response = H(HA1 ":" nonce ":" HA2)                              no qop
//
// Subscribers keep HA1 only (one per algorithm), so nothing here needs the
// password except ComputeHa1, which provisioning uses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"

namespace gw::auth {

enum class Algorithm : uint8_t { kMd5, kSha256 };

// The token of the algorithm parameter: "MD5" or "SHA-256".
std::string_view AlgorithmName(Algorithm alg);
// Hex digits of a digest: 32 for MD5, 64 for SHA-256.
constexpr size_t HexLength(Algorithm alg) {
  return alg == Algorithm::kMd5 ? 32 : 64;
}

constexpr size_t kMaxHexDigest = 64;
using HexDigest = String<kMaxHexDigest>;

// A parameter value as it appears on the wire: a token, or the text between
// the quotes of a quoted-string with its quoted-pairs (\x) still in place.
// Zero-copy: the view points into the header value.
struct ParamText {
  std::string_view raw;
  bool escaped = false;  // raw contains at least one quoted-pair

  constexpr ParamText() = default;
  constexpr ParamText(std::string_view plain) : raw(plain) {}  // NOLINT: implicit
  constexpr ParamText(std::string_view r, bool e) : raw(r), escaped(e) {}

  bool empty() const { return raw.empty(); }
  // Compares the unescaped value with `plain`, octet by octet.
  bool Equals(std::string_view plain) const;
  // Length of the unescaped value.
  size_t UnescapedSize() const;
};

// HA1 from the password (provisioning, tests). Internal if the hash fails.
Result<HexDigest> ComputeHa1(std::string_view username, std::string_view realm,
                             std::string_view password, Algorithm alg);

// HA2 for qop=auth or no qop. Internal if the hash fails.
Result<HexDigest> ComputeHa2(std::string_view method, ParamText uri, Algorithm alg);

// The request-digest. qop empty selects the RFC 2069 form (nc and cnonce
// are then not used); otherwise qop must be "auth" (InvalidArgument for
// anything else: auth-int needs the body and is not supported). nc is the
// 8 hex digits exactly as sent. Internal if the hash fails.
Result<HexDigest> ComputeResponse(std::string_view ha1, ParamText nonce, ParamText nc,
                                  ParamText cnonce, ParamText qop, std::string_view method,
                                  ParamText uri, Algorithm alg);

// True if `a` and `b` are the same hex text, ignoring the case of the
// letters. Runs in a time that depends on the lengths only.
bool HexEqualConstantTime(std::string_view a, std::string_view b);

}  // namespace gw::auth
