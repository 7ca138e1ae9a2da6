#pragma once
// A CTR-DRBG (NIST SP 800-90A, AES-256, mbedTLS) seeded and reseeded from
// hal::Entropy. One instance belongs to the composition root; modules that
// need random bytes (nonce keys, Via branches, tags, SRTP) take a Drbg&.
#include <cstddef>
#include <span>

#include "gw/core/status.h"
#include "gw/hal/entropy.h"
#include "mbedtls/ctr_drbg.h"

namespace gw::auth {

class Drbg {
 public:
  explicit Drbg(hal::Entropy& entropy);
  ~Drbg();
  Drbg(const Drbg&) = delete;
  Drbg& operator=(const Drbg&) = delete;

  // Seeds from the entropy source, mixing in `personalization` (up to 256
  // bytes, e.g. the MAC address, so that two boards with a weak source still
  // differ). Calling it again reseeds from scratch.
  // Unavailable: the entropy source failed. InvalidArgument: personalization
  // too long.
  Status Init(std::span<const std::byte> personalization = {});

  // Fills `out` with random bytes (any size; long requests are split).
  // FailedPrecondition before a successful Init. Unavailable: the periodic
  // reseed (every MBEDTLS_CTR_DRBG_RESEED_INTERVAL requests) found the
  // entropy source failing; the DRBG stays usable once the source recovers.
  Status Generate(std::span<std::byte> out);

  bool ready() const { return ready_; }

 private:
  static int EntropyCallback(void* self, unsigned char* out, size_t len);

  hal::Entropy& entropy_;
  mbedtls_ctr_drbg_context ctx_;
  bool ready_ = false;
};

}  // namespace gw::auth
