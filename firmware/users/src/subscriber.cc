#include "gw/users/subscriber.h"

#include <cstring>

#include "gw/config/text.h"
#include "mbedtls/md5.h"
#include "mbedtls/sha256.h"

namespace gw::users {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void Explain(Violation* why, Field field, std::string_view rule) {
  if (why == nullptr) return;
  why->field = field;
  why->rule.clear();
  why->rule.AppendTruncated(rule);
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF) and no
// C0 control character or DEL.
bool CleanUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    size_t extra = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || (cp >= 0x80 && cp < 0xA0)) {
      return false;  // overlong, surrogate, out of range, C1 control
    }
    i += extra + 1;
  }
  return true;
}

void ToHex(const uint8_t* data, size_t n, char* out) {
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 15];
  }
  out[2 * n] = '\0';
}

const auto* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

const std::string_view kStatusNames[kStatusCount] = {"ACTIVE", "INACTIVE", "SUSPENDED"};
const std::string_view kClassNames[kClassCount] = {"BASIC", "PREMIUM", "VIP", "ENTERPRISE"};

const char* StatusName(UserStatus status) {
  auto i = static_cast<size_t>(status);
  return i < kStatusCount ? kStatusNames[i].data() : "?";
}

const char* ClassName(Class user_class) {
  auto i = static_cast<size_t>(user_class);
  return i < kClassCount ? kClassNames[i].data() : "?";
}

bool ParseStatus(std::string_view text, UserStatus& out) {
  for (size_t i = 0; i < kStatusCount; ++i) {
    if (config::EqualsIgnoreCase(text, kStatusNames[i])) {
      out = static_cast<UserStatus>(i);
      return true;
    }
  }
  return false;
}

bool ParseClass(std::string_view text, Class& out) {
  for (size_t i = 0; i < kClassCount; ++i) {
    if (config::EqualsIgnoreCase(text, kClassNames[i])) {
      out = static_cast<Class>(i);
      return true;
    }
  }
  return false;
}

const char* JsonFieldName(Field field) {
  switch (field) {
    case Field::kNone:
      return "";
    case Field::kUsername:
      return "username";
    case Field::kDisplayName:
      return "display_name";
    case Field::kPassword:
      return "password";
    case Field::kHa1Md5:
      return "ha1_md5";
    case Field::kHa1Sha256:
      return "ha1_sha256";
    case Field::kStatus:
      return "status";
    case Field::kClass:
      return "class";
  }
  return "";
}

Status CheckUsername(std::string_view text, Violation* why) {
  constexpr std::string_view kRule = "letters, digits, '.', '_', '-'; 1..32 characters";
  if (text.empty() || text.size() > kMaxUsername) {
    Explain(why, Field::kUsername, kRule);
    return Status::OutOfRange();
  }
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      Explain(why, Field::kUsername, kRule);
      return Status::InvalidArgument();
    }
  }
  return Status::Ok();
}

Status CheckDisplayName(std::string_view text, Violation* why) {
  if (text.size() > kMaxDisplayName) {
    Explain(why, Field::kDisplayName, "0..48 bytes of UTF-8");
    return Status::OutOfRange();
  }
  if (!CleanUtf8(text)) {
    Explain(why, Field::kDisplayName, "UTF-8 text without control characters");
    return Status::InvalidArgument();
  }
  return Status::Ok();
}

Status CheckPassword(std::string_view text, Violation* why) {
  constexpr std::string_view kRule = "1..64 printable ASCII characters";
  if (text.empty() || text.size() > kMaxPassword) {
    Explain(why, Field::kPassword, kRule);
    return Status::OutOfRange();
  }
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) {
      Explain(why, Field::kPassword, kRule);
      return Status::InvalidArgument();
    }
  }
  return Status::Ok();
}

Status CheckHa1(Field field, std::string_view text, Violation* why) {
  size_t want = field == Field::kHa1Md5 ? kMd5Hex : kSha256Hex;
  bool ok = text.size() == want;
  for (size_t i = 0; ok && i < text.size(); ++i) ok = IsHex(text[i]);
  if (!ok) {
    Explain(why, field, want == kMd5Hex ? "exactly 32 hex digits" : "exactly 64 hex digits");
    return Status::InvalidArgument();
  }
  return Status::Ok();
}

void ComputeHa1(std::string_view username, std::string_view realm, std::string_view password,
                Subscriber& out) {
  // Streaming updates: no concatenated copy of the password in memory. The
  // software digests cannot fail, so their return codes carry nothing.
  uint8_t md5[16];
  mbedtls_md5_context m;
  mbedtls_md5_init(&m);
  (void)mbedtls_md5_starts_ret(&m);
  (void)mbedtls_md5_update_ret(&m, Bytes(username), username.size());
  (void)mbedtls_md5_update_ret(&m, Bytes(":"), 1);
  (void)mbedtls_md5_update_ret(&m, Bytes(realm), realm.size());
  (void)mbedtls_md5_update_ret(&m, Bytes(":"), 1);
  (void)mbedtls_md5_update_ret(&m, Bytes(password), password.size());
  (void)mbedtls_md5_finish_ret(&m, md5);
  mbedtls_md5_free(&m);
  ToHex(md5, sizeof(md5), out.ha1_md5);

  uint8_t sha[32];
  mbedtls_sha256_context s;
  mbedtls_sha256_init(&s);
  (void)mbedtls_sha256_starts_ret(&s, 0);
  (void)mbedtls_sha256_update_ret(&s, Bytes(username), username.size());
  (void)mbedtls_sha256_update_ret(&s, Bytes(":"), 1);
  (void)mbedtls_sha256_update_ret(&s, Bytes(realm), realm.size());
  (void)mbedtls_sha256_update_ret(&s, Bytes(":"), 1);
  (void)mbedtls_sha256_update_ret(&s, Bytes(password), password.size());
  (void)mbedtls_sha256_finish_ret(&s, sha);
  mbedtls_sha256_free(&s);
  ToHex(sha, sizeof(sha), out.ha1_sha256);
}

void CopyField(char* out, size_t capacity, std::string_view text, bool lower) {
  size_t n = text.size() < capacity ? text.size() : capacity;
  for (size_t i = 0; i < n; ++i) {
    char c = text[i];
    out[i] = (lower && c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::memset(out + n, 0, capacity + 1 - n);
}

}  // namespace gw::users
