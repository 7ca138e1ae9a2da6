#pragma once
// Nonce-count replay protection (RFC 7616 3.4.5): the highest nc accepted
// for each recently used nonce, in a fixed table.
//
// When the table is full the entry of the oldest-issued nonce is evicted and
// the table remembers the newest nonce it ever evicted (the watermark). A
// nonce not in the table is accepted only for its first use (nc == 1) and
// only if it was issued after the watermark, i.e. it cannot have been
// evicted. Anything else unknown (nc > 1, or issued at or before the
// watermark) is refused as kUnknown, which the verifier answers as stale:
// an honest client simply retries on a fresh nonce without asking its user,
// while a captured request can never be replayed after its entry is gone.
// Because nonces expire (300 s by default), evictions only bite when more
// than kNonceCountCapacity nonces are in use within one lifetime.
#include <cstddef>
#include <cstdint>

#include "gw/auth/nonce.h"
#include "gw_profile.h"

namespace gw::auth {

#ifdef GW_CAP_AUTH_NONCES
constexpr size_t kNonceCountCapacity = GW_CAP_AUTH_NONCES;
#else
constexpr size_t kNonceCountCapacity = 256;
#endif

enum class NonceCountResult : uint8_t {
  kOk,       // accepted and recorded
  kReplay,   // nc not above the highest seen for this nonce
  kUnknown,  // not in the table and not provably a first use
};

class NonceCountTable {
 public:
  // Checks nc for the (authentic) nonce `id` and records it when accepted.
  // Call it only after the response was verified: an unauthenticated request
  // must not move the highest nc.
  NonceCountResult Use(NonceId id, uint32_t nc);

  size_t size() const { return size_; }
  static constexpr size_t capacity() { return kNonceCountCapacity; }
  // Entries evicted to make room since boot.
  uint32_t evictions() const { return evictions_; }
  // Forgets everything. Only safe together with a new nonce key (every
  // nonce recorded here is then invalid anyway): otherwise a forgotten
  // nonce could be replayed with nc=1.
  void Clear();

 private:
  // Flat rather than holding a NonceId, whose tail padding would make an
  // entry 24 bytes instead of 16.
  struct Entry {
    uint64_t issued_ms = 0;
    uint32_t serial = 0;
    uint32_t highest_nc = 0;
    NonceId id() const { return NonceId{issued_ms, serial}; }
  };
  Entry entries_[kNonceCountCapacity];
  size_t size_ = 0;
  uint32_t evictions_ = 0;
  bool evicted_any_ = false;
  NonceId watermark_;  // newest evicted id, when evicted_any_
};

}  // namespace gw::auth
