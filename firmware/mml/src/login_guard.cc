#include "gw/mml/login_guard.h"

#include "gw/core/fixed_string.h"
#include "gw/core/log.h"
#include "gw/net/address.h"

namespace gw::mml {
namespace {

// "console" or a.b.c.d, for the log.
String<16> SourceText(uint32_t source) {
  String<16> text;
  if (source == LoginGuard::kConsole) {
    (void)text.assign("console");
  } else {
    (void)net::AppendIp4(text, source);
  }
  return text;
}

}  // namespace

LoginGuard::Entry* LoginGuard::Find(uint32_t source) {
  for (Entry& e : entries_) {
    if (e.used && e.addr == source) return &e;
  }
  return nullptr;
}

const LoginGuard::Entry* LoginGuard::Find(uint32_t source) const {
  for (const Entry& e : entries_) {
    if (e.used && e.addr == source) return &e;
  }
  return nullptr;
}

LoginGuard::Entry& LoginGuard::FindOrAdd(uint32_t source, uint32_t now) {
  if (Entry* e = Find(source)) return *e;
  Entry* slot = nullptr;
  for (Entry& e : entries_) {
    if (!e.used) {
      slot = &e;
      break;
    }
    // Full: the entry whose last failure is the oldest goes.
    if (slot == nullptr || now - e.last_fail_ms > now - slot->last_fail_ms) slot = &e;
  }
  if (slot->used) ++stats_.evicted;
  *slot = Entry{};
  slot->used = true;
  slot->addr = source;
  slot->last_fail_ms = now;
  return *slot;
}

uint32_t LoginGuard::LockedMs(uint32_t source) const {
  const Entry* e = Find(source);
  if (e == nullptr || e->streak < kLockoutFailures) return 0;
  const uint32_t since = clock_.NowMs() - e->last_fail_ms;
  return since < kLockoutMs ? kLockoutMs - since : 0;
}

void LoginGuard::Refused(uint32_t source) {
  ++stats_.refused;
  Entry* e = Find(source);
  if (e == nullptr || e->refusal_logged) return;
  e->refusal_logged = true;
  GW_LOG_WARN("mml", "login from %s refused: locked out for %u s more", SourceText(source).c_str(),
              static_cast<unsigned>((LockedMs(source) + 999) / 1000));
}

uint32_t LoginGuard::Failed(uint32_t source) {
  const uint32_t now = clock_.NowMs();
  ++stats_.failures;
  Entry& e = FindOrAdd(source, now);
  if (Lapsed(e, now)) e.streak = 0;
  ++e.streak;
  e.last_fail_ms = now;
  uint32_t delay = kFirstDelayMs;  // doubles with each failure in a row
  for (uint32_t n = 1; n < e.streak && delay < kMaxDelayMs; ++n) delay *= 2;
  if (delay > kMaxDelayMs) delay = kMaxDelayMs;
  const String<16> text = SourceText(source);
  if (e.streak >= kLockoutFailures) {
    ++stats_.lockouts;
    e.refusal_logged = false;
    GW_LOG_WARN("mml", "login failed from %s (%u in a row): locked out for %u s", text.c_str(),
                static_cast<unsigned>(e.streak), static_cast<unsigned>(kLockoutMs / 1000));
  } else {
    GW_LOG_WARN("mml", "login failed from %s (%u in a row): answered in %u s", text.c_str(),
                static_cast<unsigned>(e.streak), static_cast<unsigned>(delay / 1000));
  }
  return delay;
}

void LoginGuard::Succeeded(uint32_t source) {
  if (Entry* e = Find(source)) *e = Entry{};
}

}  // namespace gw::mml
