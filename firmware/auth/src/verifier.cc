#include "gw/auth/verifier.h"

#include <cstring>

#include "gw/sip/message.h"
#include "gw/sip/via.h"

namespace gw::auth {
namespace {

// Text that can go between quotes without escaping.
bool Quotable(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool IsHexText(std::string_view s) {
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Appends to a caller buffer; remembers an overflow instead of cutting.
class Writer {
 public:
  explicit Writer(std::span<char> buf) : buf_(buf) {}
  void Put(std::string_view s) {
    if (overflow_ || s.size() > buf_.size() - used_) {
      overflow_ = true;
      return;
    }
    if (!s.empty()) std::memcpy(buf_.data() + used_, s.data(), s.size());
    used_ += s.size();
  }
  bool overflow() const { return overflow_; }
  std::string_view text() const { return {buf_.data(), used_}; }

 private:
  std::span<char> buf_;
  size_t used_ = 0;
  bool overflow_ = false;
};

}  // namespace

std::string_view VerifyResultName(VerifyResult r) {
  switch (r) {
    case VerifyResult::kOk:
      return "ok";
    case VerifyResult::kStale:
      return "stale";
    case VerifyResult::kBadResponse:
      return "bad-response";
    case VerifyResult::kReplay:
      return "replay";
    case VerifyResult::kBadNonce:
      return "bad-nonce";
    case VerifyResult::kMalformed:
      return "malformed";
    case VerifyResult::kRealmMismatch:
      return "realm-mismatch";
    case VerifyResult::kUriMismatch:
      return "uri-mismatch";
  }
  return "?";
}

Result<std::string_view> BuildChallenge(std::string_view realm, std::string_view nonce,
                                        Algorithm alg, bool stale, std::span<char> buf) {
  if (!Quotable(realm) || !Quotable(nonce)) return Status::InvalidArgument();
  Writer w(buf);
  w.Put("Digest realm=\"");
  w.Put(realm);
  w.Put("\", nonce=\"");
  w.Put(nonce);
  w.Put("\", algorithm=");
  w.Put(AlgorithmName(alg));
  w.Put(", qop=\"auth\"");
  if (stale) w.Put(", stale=true");
  if (w.overflow()) return Status::ResourceExhausted();
  return w.text();
}

Status Verifier::Init(const VerifierConfig& config) {
  if (config.realm.empty() || config.realm.size() > kMaxRealm || !Quotable(config.realm)) {
    return Status::InvalidArgument();
  }
  GW_TRY(realm_.assign(config.realm));
  offer_md5_ = config.offer_md5;
  allow_no_qop_ = config.allow_no_qop;
  ready_ = true;
  return Status::Ok();
}

Result<Challenges> Verifier::BuildChallenges(bool stale, std::span<char> buf) {
  if (!ready_) return Status::FailedPrecondition();
  // One nonce for both: a client answers one challenge only, and the
  // nonce-count table tracks the nonce whatever the algorithm.
  GW_TRY_ASSIGN(NonceText nonce, nonces_.Issue(realm_.view()));
  Challenges out;
  GW_TRY_ASSIGN(out.sha256,
                BuildChallenge(realm_.view(), nonce.view(), Algorithm::kSha256, stale, buf));
  if (offer_md5_) {
    GW_TRY_ASSIGN(out.md5, BuildChallenge(realm_.view(), nonce.view(), Algorithm::kMd5, stale,
                                          buf.subspan(out.sha256.size())));
  }
  return out;
}

namespace {

// The digest uri names the Request-URI's resource (RFC 3261 22.4): the same
// SIP URI by scheme, user and host (case-insensitive) and parameters, with
// an absent port meaning the scheme's default. Clients differ in the form they echo (sipp
// adds ":5060"); the response hash covers their exact text regardless.
bool SameResource(std::string_view digest_uri, std::string_view request_uri) {
  sip::Uri a, b;
  if (!sip::ParseUri(digest_uri, a).ok() || !sip::ParseUri(request_uri, b).ok()) return false;
  auto port = [](const sip::Uri& u) -> uint16_t {
    if (u.port != 0) return u.port;
    return sip::EqualsIgnoreCase(u.scheme, "sips") ? 5061 : 5060;
  };
  return sip::EqualsIgnoreCase(a.scheme, b.scheme) && a.user == b.user &&
         sip::EqualsIgnoreCase(a.host, b.host) && port(a) == port(b) && a.params == b.params;
}

}  // namespace

VerifyResult Verifier::Verify(const Credentials& creds, std::string_view ha1,
                              std::string_view method, std::string_view request_uri) {
  if (!ready_ || creds.error != CredentialsError::kNone) return VerifyResult::kMalformed;
  if (!creds.has_qop && !allow_no_qop_) return VerifyResult::kMalformed;
  if (ha1.size() != HexLength(creds.algorithm) || !IsHexText(ha1)) {
    return VerifyResult::kMalformed;
  }
  if (!creds.realm.Equals(realm_.view())) return VerifyResult::kRealmMismatch;
  if (!creds.uri.Equals(request_uri) &&
      (creds.uri.escaped || !SameResource(creds.uri.raw, request_uri))) {
    return VerifyResult::kUriMismatch;
  }

  NonceCheck nonce = nonces_.Check(creds.nonce.raw, realm_.view());
  if (creds.nonce.escaped || nonce.state == NonceState::kInvalid) {
    return VerifyResult::kBadNonce;
  }

  // The stored HA1 may be upper-case hex; the hash wants it as the client
  // computed it, lower-case.
  char ha1_lower[kMaxHexDigest];
  for (size_t i = 0; i < ha1.size(); ++i) {
    char c = ha1[i];
    ha1_lower[i] = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  Result<HexDigest> expected = ComputeResponse(
      std::string_view(ha1_lower, ha1.size()), creds.nonce, creds.nc_text, creds.cnonce,
      creds.has_qop ? ParamText("auth") : ParamText(), method, creds.uri, creds.algorithm);
  if (!expected.ok()) return VerifyResult::kMalformed;
  if (!HexEqualConstantTime(expected->view(), creds.response.raw)) {
    return VerifyResult::kBadResponse;
  }

  // RFC 7616 3.3: stale only when the response itself was right.
  if (nonce.state == NonceState::kStale) return VerifyResult::kStale;
  NonceCountResult count = counts_.Use(nonce.id, creds.has_qop ? creds.nc : 1);
  switch (count) {
    case NonceCountResult::kOk:
      return VerifyResult::kOk;
    case NonceCountResult::kUnknown:
      return VerifyResult::kStale;
    case NonceCountResult::kReplay:
      // Without qop a nonce is single-use; an honest RFC 2069 client that
      // reuses it is sent a fresh one with stale=true.
      return creds.has_qop ? VerifyResult::kReplay : VerifyResult::kStale;
  }
  return VerifyResult::kMalformed;
}

}  // namespace gw::auth
