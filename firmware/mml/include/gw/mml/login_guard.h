#pragma once
// LoginGuard: slows down password guessing on the MML shell. It remembers,
// per source (a telnet peer's IPv4 address, or kConsole), how many logins
// failed in a row: the answer to the n-th failure comes after
// kFirstDelayMs * 2^(n-1) (capped at kMaxDelayMs), and from the
// kLockoutFailures-th on the source is locked out for kLockoutMs: telnet
// refuses its connections, and no password is checked for it. A success
// ends the streak, and so does kForgetMs without a failure.
//
// The sources live in a fixed table of kSources; when it is full, the
// entry whose last failure is oldest is reused (and counted): the table
// never grows, and only a source that failed long ago loses its streak.
//
// The delay itself is the session's: it answers on a timer, never by
// blocking the loop (see SessionOptions::guard).
#include <cstddef>
#include <cstdint>

#include "gw/hal/clock.h"
#include "gw_profile.h"

namespace gw::mml {

struct LoginGuardStats {
  uint32_t failures = 0;  // failed logins
  uint32_t lockouts = 0;  // sources locked out
  uint32_t refused = 0;   // connections or logins refused while locked out
  uint32_t evicted = 0;   // streaks forgotten because the table was full
};

class LoginGuard {
 public:
  static constexpr size_t kSources = GW_CAP_LOGIN_SOURCES;
  // The source key of the serial console (0.0.0.0 is never a TCP peer).
  static constexpr uint32_t kConsole = 0;
  static constexpr uint32_t kFirstDelayMs = 1000;
  static constexpr uint32_t kMaxDelayMs = 16000;
  static constexpr uint32_t kLockoutFailures = 5;
  static constexpr uint32_t kLockoutMs = 60000;
  static constexpr uint32_t kForgetMs = 15 * 60000;

  // clock must outlive the guard.
  explicit LoginGuard(hal::MonotonicClock& clock) : clock_(clock) {}
  LoginGuard(const LoginGuard&) = delete;
  LoginGuard& operator=(const LoginGuard&) = delete;

  // Milliseconds source stays locked out; 0 if it may try to log in.
  uint32_t LockedMs(uint32_t source) const;
  // Counts (and logs, once per lockout) an attempt refused because source
  // is locked out.
  void Refused(uint32_t source);
  // Records a failed login of source; returns how long to wait before
  // answering it. Locks the source out at kLockoutFailures in a row.
  uint32_t Failed(uint32_t source);
  // A successful login of source ends its streak.
  void Succeeded(uint32_t source);

  const LoginGuardStats& stats() const { return stats_; }

 private:
  struct Entry {
    uint32_t addr = 0;
    uint32_t streak = 0;        // failures in a row
    uint32_t last_fail_ms = 0;  // when the last one was
    bool used = false;
    bool refusal_logged = false;  // this lockout's first refusal is logged
  };

  Entry* Find(uint32_t source);
  const Entry* Find(uint32_t source) const;
  Entry& FindOrAdd(uint32_t source, uint32_t now);
  // Whether e's streak has lapsed (kForgetMs without a failure).
  static bool Lapsed(const Entry& e, uint32_t now) { return now - e.last_fail_ms >= kForgetMs; }

  hal::MonotonicClock& clock_;
  Entry entries_[kSources];
  LoginGuardStats stats_;
};

}  // namespace gw::mml
