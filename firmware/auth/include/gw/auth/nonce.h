#pragma once
// Stateless nonces: everything needed to check one is inside it, under an
// HMAC keyed at boot, so the gateway keeps no per-challenge state.
//
//   nonce = base64( issued_ms[8] | serial[4] | HMAC-SHA256(key, issued_ms |
//                   serial | realm)[0..18) )                  -> 40 characters
//
// issued_ms is the monotonic clock widened to 64 bits; serial counts nonces
// issued since boot. (issued_ms, serial) is unique per key and grows with
// issue order, which the nonce-count table relies on (see nonce_count.h).
// The key is drawn from the Drbg at Init and lives in RAM only: a reboot
// makes every outstanding nonce invalid (clients get a fresh challenge).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/auth/drbg.h"
#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/hal/clock.h"

namespace gw::auth {

constexpr size_t kNonceChars = 40;
using NonceText = String<kNonceChars>;
constexpr uint32_t kDefaultNonceLifetimeS = 300;

// Identity of an authentic nonce, ordered by issue.
struct NonceId {
  uint64_t issued_ms = 0;
  uint32_t serial = 0;
  friend constexpr bool operator==(NonceId a, NonceId b) {
    return a.issued_ms == b.issued_ms && a.serial == b.serial;
  }
  friend constexpr bool operator<(NonceId a, NonceId b) {
    return a.issued_ms != b.issued_ms ? a.issued_ms < b.issued_ms : a.serial < b.serial;
  }
  friend constexpr bool operator<=(NonceId a, NonceId b) { return !(b < a); }
};

enum class NonceState : uint8_t {
  kFresh,    // authentic, within its lifetime
  kStale,    // authentic, older than the lifetime: challenge with stale=true
  kInvalid,  // not ours: bad format, bad MAC, other realm, earlier boot
};

struct NonceCheck {
  NonceState state = NonceState::kInvalid;
  NonceId id;  // valid unless kInvalid
};

class NonceManager {
 public:
  explicit NonceManager(hal::MonotonicClock& clock, uint32_t lifetime_s = kDefaultNonceLifetimeS);
  ~NonceManager();
  NonceManager(const NonceManager&) = delete;
  NonceManager& operator=(const NonceManager&) = delete;

  // Draws the HMAC key. Unavailable/FailedPrecondition as Drbg::Generate.
  Status Init(Drbg& drbg);

  // A fresh nonce for `realm`. FailedPrecondition before Init; Internal if
  // the hash failed.
  Result<NonceText> Issue(std::string_view realm);

  // Authenticates `nonce` against `realm` and classifies its age.
  NonceCheck Check(std::string_view nonce, std::string_view realm);

  uint32_t lifetime_s() const { return lifetime_ms_ / 1000; }

  // The clock widened to 64 bits. Each call notices a wrap of the 32-bit
  // millisecond counter, so something must call it at least once every
  // 49 days: Issue and Check do; an idle gateway's periodic timer (the
  // registrar's binding expiry) should too.
  uint64_t NowMs64();

 private:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kMacBytes = 18;
  static constexpr size_t kPayloadBytes = 8 + 4 + kMacBytes;  // 30 -> 40 base64

  Status Mac(NonceId id, std::string_view realm, uint8_t (&mac)[kMacBytes]) const;

  hal::MonotonicClock& clock_;
  uint32_t lifetime_ms_;
  uint8_t key_[kKeyBytes] = {};
  bool ready_ = false;
  uint32_t next_serial_ = 0;
  uint32_t last_raw_ms_ = 0;
  uint32_t wraps_ = 0;
};

}  // namespace gw::auth
