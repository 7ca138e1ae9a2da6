#include "gw/auth/credentials.h"

#include "gw/sip/message.h"

namespace gw::auth {
namespace {

bool IsLws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// The known parameters, as bits of a mask that catches duplicates.
enum Param : uint16_t {
  kUsername = 1u << 0,
  kRealm = 1u << 1,
  kNonce = 1u << 2,
  kUri = 1u << 3,
  kResponse = 1u << 4,
  kAlgorithm = 1u << 5,
  kQop = 1u << 6,
  kNc = 1u << 7,
  kCnonce = 1u << 8,
  kOpaque = 1u << 9,
};

struct Known {
  std::string_view name;
  Param bit;
};
constexpr Known kKnown[] = {
    {"username", kUsername}, {"realm", kRealm},         {"nonce", kNonce}, {"uri", kUri},
    {"response", kResponse}, {"algorithm", kAlgorithm}, {"qop", kQop},     {"nc", kNc},
    {"cnonce", kCnonce},     {"opaque", kOpaque},
};

// A cursor over the header value; every read is bounds-checked.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  void Advance() { ++pos_; }
  void SkipLws() {
    while (!done() && IsLws(peek())) ++pos_;
  }
  std::string_view Token() {
    size_t start = pos_;
    while (!done() && sip::IsTokenChar(peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // At an opening quote: reads up to the closing one.
  CredentialsError Quoted(ParamText& out) {
    ++pos_;  // the opening quote
    size_t start = pos_;
    bool escaped = false;
    while (!done()) {
      char c = peek();
      if (c == '"') {
        out = ParamText(s_.substr(start, pos_ - start), escaped);
        ++pos_;
        return CredentialsError::kNone;
      }
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return CredentialsError::kUnterminatedQuote;
        char next = s_[pos_ + 1];
        if (next == '\r' || next == '\n') return CredentialsError::kSyntax;
        escaped = true;
        pos_ += 2;
        continue;
      }
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && !IsLws(c)) || u == 0x7f) return CredentialsError::kSyntax;
      ++pos_;
    }
    return CredentialsError::kUnterminatedQuote;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

CredentialsError Fail(Credentials& out, CredentialsError e) {
  out = Credentials();
  out.error = e;
  return e;
}

bool ParseNc(std::string_view text, uint32_t& value) {
  if (text.size() != 8) return false;
  uint32_t v = 0;
  for (char c : text) {
    if (!IsHex(c)) return false;
    uint32_t d = (c >= '0' && c <= '9') ? static_cast<uint32_t>(c - '0')
                                        : static_cast<uint32_t>(Lower(c) - 'a' + 10);
    v = (v << 4) | d;
  }
  value = v;
  return v != 0;
}

CredentialsError Parse(std::string_view value, Credentials& out) {
  out = Credentials();
  if (value.size() > kMaxCredentialsLength) return Fail(out, CredentialsError::kTooLong);
  Scanner sc(value);
  sc.SkipLws();
  if (sc.done()) return Fail(out, CredentialsError::kEmpty);
  std::string_view scheme = sc.Token();
  if (!EqualsNoCase(scheme, "Digest")) return Fail(out, CredentialsError::kNotDigest);
  if (sc.done()) return Fail(out, CredentialsError::kMissingParam);
  if (!IsLws(sc.peek())) return Fail(out, CredentialsError::kNotDigest);

  uint16_t seen = 0;
  size_t params = 0;
  ParamText algorithm, qop;
  while (true) {
    sc.SkipLws();
    // Empty list elements (",,") are allowed (RFC 7230 7).
    while (!sc.done() && sc.peek() == ',') {
      sc.Advance();
      sc.SkipLws();
    }
    if (sc.done()) break;
    std::string_view name = sc.Token();
    if (name.empty()) return Fail(out, CredentialsError::kSyntax);
    sc.SkipLws();
    if (sc.done() || sc.peek() != '=') return Fail(out, CredentialsError::kSyntax);
    sc.Advance();
    sc.SkipLws();
    if (sc.done()) return Fail(out, CredentialsError::kSyntax);
    ParamText v;
    if (sc.peek() == '"') {
      CredentialsError e = sc.Quoted(v);
      if (e != CredentialsError::kNone) return Fail(out, e);
    } else {
      std::string_view t = sc.Token();
      if (t.empty()) return Fail(out, CredentialsError::kSyntax);
      v = ParamText(t);
    }
    if (++params > kMaxCredentialsParams) return Fail(out, CredentialsError::kTooManyParams);

    for (const Known& k : kKnown) {
      if (!EqualsNoCase(name, k.name)) continue;
      if (seen & k.bit) return Fail(out, CredentialsError::kDuplicateParam);
      seen = static_cast<uint16_t>(seen | k.bit);
      switch (k.bit) {
        case kUsername:
          out.username = v;
          break;
        case kRealm:
          out.realm = v;
          break;
        case kNonce:
          out.nonce = v;
          break;
        case kUri:
          out.uri = v;
          break;
        case kResponse:
          out.response = v;
          break;
        case kAlgorithm:
          algorithm = v;
          break;
        case kQop:
          qop = v;
          break;
        case kNc:
          out.nc_text = v;
          break;
        case kCnonce:
          out.cnonce = v;
          break;
        case kOpaque:
          out.opaque = v;
          break;
      }
      break;
    }

    sc.SkipLws();
    if (sc.done()) break;
    if (sc.peek() != ',') return Fail(out, CredentialsError::kSyntax);
  }

  constexpr uint16_t kRequired = kUsername | kRealm | kNonce | kUri | kResponse;
  if ((seen & kRequired) != kRequired) return Fail(out, CredentialsError::kMissingParam);

  if (seen & kAlgorithm) {
    out.has_algorithm = true;
    // Compared unescaped: nobody escapes these, but a quoted value is legal.
    if (algorithm.escaped) return Fail(out, CredentialsError::kUnsupportedAlgorithm);
    if (EqualsNoCase(algorithm.raw, "MD5")) {
      out.algorithm = Algorithm::kMd5;
    } else if (EqualsNoCase(algorithm.raw, "SHA-256")) {
      out.algorithm = Algorithm::kSha256;
    } else {
      // MD5-sess / SHA-256-sess need the cnonce in HA1, which defeats
      // storing HA1 only; SHA-512-256 is not provisioned.
      return Fail(out, CredentialsError::kUnsupportedAlgorithm);
    }
  }

  if (seen & kQop) {
    // qop is hashed as sent, so only the exact token is taken.
    if (!qop.Equals("auth")) return Fail(out, CredentialsError::kUnsupportedQop);
    out.has_qop = true;
    if ((seen & (kNc | kCnonce)) != (kNc | kCnonce)) {
      return Fail(out, CredentialsError::kMissingParam);
    }
    if (out.nc_text.escaped || !ParseNc(out.nc_text.raw, out.nc)) {
      return Fail(out, CredentialsError::kBadNonceCount);
    }
  } else if (seen & (kNc | kCnonce)) {
    return Fail(out, CredentialsError::kUnexpectedParam);
  }
  out.has_opaque = (seen & kOpaque) != 0;

  const std::string_view resp = out.response.raw;
  if (out.response.escaped || resp.size() != HexLength(out.algorithm)) {
    return Fail(out, CredentialsError::kBadResponse);
  }
  for (char c : resp) {
    if (!IsHex(c)) return Fail(out, CredentialsError::kBadResponse);
  }
  return CredentialsError::kNone;
}

}  // namespace

std::string_view CredentialsErrorText(CredentialsError e) {
  switch (e) {
    case CredentialsError::kNone:
      return "ok";
    case CredentialsError::kEmpty:
      return "empty credentials";
    case CredentialsError::kTooLong:
      return "credentials too long";
    case CredentialsError::kNotDigest:
      return "scheme is not Digest";
    case CredentialsError::kSyntax:
      return "malformed credentials";
    case CredentialsError::kUnterminatedQuote:
      return "unterminated quoted-string";
    case CredentialsError::kTooManyParams:
      return "too many parameters";
    case CredentialsError::kDuplicateParam:
      return "duplicate parameter";
    case CredentialsError::kMissingParam:
      return "missing parameter";
    case CredentialsError::kUnexpectedParam:
      return "nc/cnonce without qop";
    case CredentialsError::kUnsupportedAlgorithm:
      return "unsupported algorithm";
    case CredentialsError::kUnsupportedQop:
      return "unsupported qop";
    case CredentialsError::kBadNonceCount:
      return "bad nonce count";
    case CredentialsError::kBadResponse:
      return "bad response format";
  }
  return "?";
}

Status ParseCredentials(std::string_view value, Credentials& out) {
  return Parse(value, out) == CredentialsError::kNone ? Status::Ok() : Status::InvalidArgument();
}

}  // namespace gw::auth
