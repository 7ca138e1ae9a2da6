#include "hasher.h"

#include <cstring>

#include "mbedtls/platform_util.h"

namespace gw::auth::internal {

Hasher::Hasher(Algorithm alg) : alg_(alg) {
  if (alg_ == Algorithm::kMd5) {
    mbedtls_md5_init(&md5_);
    failed_ = mbedtls_md5_starts_ret(&md5_) != 0;
  } else {
    mbedtls_sha256_init(&sha256_);
    failed_ = mbedtls_sha256_starts_ret(&sha256_, /*is224=*/0) != 0;
  }
}

Hasher::~Hasher() {
  if (alg_ == Algorithm::kMd5) {
    mbedtls_md5_free(&md5_);
  } else {
    mbedtls_sha256_free(&sha256_);
  }
}

void Hasher::Update(std::span<const uint8_t> bytes) {
  if (bytes.empty() || failed_) return;
  int rc = alg_ == Algorithm::kMd5
               ? mbedtls_md5_update_ret(&md5_, bytes.data(), bytes.size())
               : mbedtls_sha256_update_ret(&sha256_, bytes.data(), bytes.size());
  if (rc != 0) failed_ = true;
}

void Hasher::Update(std::string_view text) {
  Update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void Hasher::Update(const ParamText& text) {
  if (!text.escaped) {
    Update(text.raw);
    return;
  }
  // Feed the runs between backslashes; the octet after each backslash
  // starts the next run.
  std::string_view rest = text.raw;
  while (!rest.empty()) {
    size_t bs = rest.find('\\');
    if (bs == std::string_view::npos) {
      Update(rest);
      return;
    }
    Update(rest.substr(0, bs));
    rest.remove_prefix(bs + 1);
    if (rest.empty()) return;  // a trailing lone backslash: the parser refuses it
    Update(rest.substr(0, 1));
    rest.remove_prefix(1);
  }
}

Status Hasher::Finish(std::span<uint8_t, kMaxDigestBytes> out) {
  if (!failed_) {
    int rc = alg_ == Algorithm::kMd5 ? mbedtls_md5_finish_ret(&md5_, out.data())
                                     : mbedtls_sha256_finish_ret(&sha256_, out.data());
    if (rc != 0) failed_ = true;
  }
  return failed_ ? Status::Internal() : Status::Ok();
}

Result<HexDigest> Hasher::FinishHex() {
  uint8_t raw[kMaxDigestBytes];
  GW_TRY(Finish(raw));
  static constexpr char kHex[] = "0123456789abcdef";
  char text[kMaxHexDigest];
  for (size_t i = 0; i < size(); ++i) {
    text[2 * i] = kHex[raw[i] >> 4];
    text[2 * i + 1] = kHex[raw[i] & 0x0f];
  }
  return HexDigest(std::string_view(text, 2 * size()));
}

Status HmacSha256(std::span<const uint8_t, kHmacKeyBytes> key,
                  std::span<const std::span<const uint8_t>> parts, std::span<uint8_t, 32> out) {
  constexpr size_t kBlock = 64;
  uint8_t pad[kBlock];
  // inner = H((K ^ ipad) | message); the key is shorter than a block, so it
  // is zero-padded rather than hashed.
  std::memset(pad, 0x36, kBlock);
  for (size_t i = 0; i < key.size(); ++i) pad[i] ^= key[i];
  uint8_t inner[kMaxDigestBytes];
  {
    Hasher h(Algorithm::kSha256);
    h.Update(std::span<const uint8_t>(pad, kBlock));
    for (auto part : parts) h.Update(part);
    Status s = h.Finish(inner);
    if (!s.ok()) {
      mbedtls_platform_zeroize(pad, sizeof(pad));
      return s;
    }
  }
  std::memset(pad, 0x5c, kBlock);
  for (size_t i = 0; i < key.size(); ++i) pad[i] ^= key[i];
  Hasher h(Algorithm::kSha256);
  h.Update(std::span<const uint8_t>(pad, kBlock));
  h.Update(std::span<const uint8_t>(inner, 32));
  mbedtls_platform_zeroize(pad, sizeof(pad));
  uint8_t full[kMaxDigestBytes];
  GW_TRY(h.Finish(full));
  std::memcpy(out.data(), full, 32);
  return Status::Ok();
}

}  // namespace gw::auth::internal
