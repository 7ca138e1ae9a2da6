#include "gw/auth/digest.h"

#include "hasher.h"

namespace gw::auth {

using internal::Hasher;

std::string_view AlgorithmName(Algorithm alg) {
  return alg == Algorithm::kMd5 ? "MD5" : "SHA-256";
}

bool ParamText::Equals(std::string_view plain) const {
  if (!escaped) return raw == plain;
  size_t j = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
    if (j >= plain.size() || plain[j] != raw[i]) return false;
    ++j;
  }
  return j == plain.size();
}

size_t ParamText::UnescapedSize() const {
  if (!escaped) return raw.size();
  size_t n = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
    ++n;
  }
  return n;
}

Result<HexDigest> ComputeHa1(std::string_view username, std::string_view realm,
                             std::string_view password, Algorithm alg) {
  Hasher h(alg);
  h.Update(username);
  h.Update(":");
  h.Update(realm);
  h.Update(":");
  h.Update(password);
  return h.FinishHex();
}

Result<HexDigest> ComputeHa2(std::string_view method, ParamText uri, Algorithm alg) {
  Hasher h(alg);
  h.Update(method);
  h.Update(":");
  h.Update(uri);
  return h.FinishHex();
}

Result<HexDigest> ComputeResponse(std::string_view ha1, ParamText nonce, ParamText nc,
                                  ParamText cnonce, ParamText qop, std::string_view method,
                                  ParamText uri, Algorithm alg) {
  if (!qop.empty() && !qop.Equals("auth")) return Status::InvalidArgument();
  GW_TRY_ASSIGN(HexDigest ha2, ComputeHa2(method, uri, alg));
  Hasher h(alg);
  h.Update(ha1);
  h.Update(":");
  h.Update(nonce);
  h.Update(":");
  if (!qop.empty()) {
    h.Update(nc);
    h.Update(":");
    h.Update(cnonce);
    h.Update(":");
    h.Update(qop);
    h.Update(":");
  }
  h.Update(ha2.view());
  return h.FinishHex();
}

bool HexEqualConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    // Folding with | 0x20 maps 'A'..'F' to 'a'..'f' and keeps digits; it
    // also folds non-hex pairs like '@'/'`', which then differ elsewhere
    // only if the texts are not hex: callers pass validated hex.
    diff |= static_cast<unsigned>((a[i] | 0x20) ^ (b[i] | 0x20));
  }
  return diff == 0;
}

}  // namespace gw::auth
