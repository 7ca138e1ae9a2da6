#include "gw/auth/drbg.h"

namespace gw::auth {

Drbg::Drbg(hal::Entropy& entropy) : entropy_(entropy) {
  mbedtls_ctr_drbg_init(&ctx_);
}

Drbg::~Drbg() {
  mbedtls_ctr_drbg_free(&ctx_);
}

int Drbg::EntropyCallback(void* self, unsigned char* out, size_t len) {
  auto* drbg = static_cast<Drbg*>(self);
  Status s = drbg->entropy_.Fill(std::span<std::byte>(reinterpret_cast<std::byte*>(out), len));
  return s.ok() ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

Status Drbg::Init(std::span<const std::byte> personalization) {
  if (personalization.size() > 256) return Status::InvalidArgument();
  if (ready_) {
    // mbedtls_ctr_drbg_seed expects a fresh context.
    mbedtls_ctr_drbg_free(&ctx_);
    mbedtls_ctr_drbg_init(&ctx_);
    ready_ = false;
  }
  int rc = mbedtls_ctr_drbg_seed(&ctx_, &Drbg::EntropyCallback, this,
                                 reinterpret_cast<const unsigned char*>(personalization.data()),
                                 personalization.size());
  if (rc != 0) return Status::Unavailable();
  ready_ = true;
  return Status::Ok();
}

Status Drbg::Generate(std::span<std::byte> out) {
  if (!ready_) return Status::FailedPrecondition();
  while (!out.empty()) {
    size_t n =
        out.size() < MBEDTLS_CTR_DRBG_MAX_REQUEST ? out.size() : MBEDTLS_CTR_DRBG_MAX_REQUEST;
    int rc = mbedtls_ctr_drbg_random(&ctx_, reinterpret_cast<unsigned char*>(out.data()), n);
    if (rc == MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED) return Status::Unavailable();
    if (rc != 0) return Status::Internal();
    out = out.subspan(n);
  }
  return Status::Ok();
}

}  // namespace gw::auth
