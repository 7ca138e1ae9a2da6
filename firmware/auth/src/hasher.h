#pragma once
// Private to gw_auth: an incremental MD5 / SHA-256 over mbedTLS contexts
// held by value (mbedtls_md_setup would calloc them), and HMAC-SHA256 built
// on it for the same reason (mbedtls_md_hmac allocates too).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/auth/digest.h"
#include "mbedtls/md5.h"
#include "mbedtls/sha256.h"

namespace gw::auth::internal {

constexpr size_t kMaxDigestBytes = 32;

class Hasher {
 public:
  explicit Hasher(Algorithm alg);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(std::string_view text);
  void Update(std::span<const uint8_t> bytes);
  // Feeds the unescaped value (quoted-pairs \x become x).
  void Update(const ParamText& text);
  // Digest size in bytes (16 or 32).
  size_t size() const { return alg_ == Algorithm::kMd5 ? 16 : 32; }
  // Writes size() bytes. Internal if mbedTLS reported a failure anywhere.
  Status Finish(std::span<uint8_t, kMaxDigestBytes> out);
  // Finishes as lower-case hex.
  Result<HexDigest> FinishHex();

 private:
  Algorithm alg_;
  bool failed_ = false;
  union {
    mbedtls_md5_context md5_;
    mbedtls_sha256_context sha256_;
  };
};

constexpr size_t kHmacKeyBytes = 32;
// HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under a 32-byte key.
Status HmacSha256(std::span<const uint8_t, kHmacKeyBytes> key,
                  std::span<const std::span<const uint8_t>> parts, std::span<uint8_t, 32> out);

}  // namespace gw::auth::internal
