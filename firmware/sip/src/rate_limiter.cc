#include "gw/sip/rate_limiter.h"

#include "gw/core/fixed_string.h"
#include "gw/core/log.h"
#include "gw/net/address.h"

namespace gw::sip {
namespace {

constexpr uint32_t kUnit = 1000;  // one request in thousandths

}  // namespace

RateLimiter::RateLimiter(hal::MonotonicClock& clock) : clock_(clock) {
  Clear();
}

void RateLimiter::Clear() {
  for (uint16_t& b : buckets_) b = kNone;
  used_ = 0;
  newest_ = kNone;
  oldest_ = kNone;
}

void RateLimiter::Configure(const RateLimitConfig& config) {
  config_ = config;
  if (config_.burst == 0) config_.burst = 1;
  if (config_.rate == 0) {
    Clear();
    return;
  }
  const uint32_t cap = config_.burst * kUnit;
  for (size_t i = 0; i < used_; ++i) {
    if (entries_[i].tokens > cap) entries_[i].tokens = cap;
  }
}

size_t RateLimiter::Hash(uint32_t addr) {
  const uint32_t h = addr * 2654435761u;  // Knuth's multiplicative hash
  return h % kBuckets;
}

uint16_t RateLimiter::Find(uint32_t addr) const {
  for (uint16_t i = buckets_[Hash(addr)]; i != kNone; i = entries_[i].chain) {
    if (entries_[i].addr == addr) return i;
  }
  return kNone;
}

void RateLimiter::Unchain(uint16_t i) {
  uint16_t* link = &buckets_[Hash(entries_[i].addr)];
  while (*link != kNone && *link != i) link = &entries_[*link].chain;
  if (*link == i) *link = entries_[i].chain;
  entries_[i].chain = kNone;
}

void RateLimiter::Unlink(uint16_t i) {
  Entry& e = entries_[i];
  if (e.newer != kNone) entries_[e.newer].older = e.older;
  if (e.older != kNone) entries_[e.older].newer = e.newer;
  if (newest_ == i) newest_ = e.older;
  if (oldest_ == i) oldest_ = e.newer;
  e.newer = kNone;
  e.older = kNone;
}

void RateLimiter::Touch(uint16_t i) {
  if (newest_ == i) return;
  Unlink(i);
  entries_[i].older = newest_;
  if (newest_ != kNone) entries_[newest_].newer = i;
  newest_ = i;
  if (oldest_ == kNone) oldest_ = i;
}

uint16_t RateLimiter::Insert(uint32_t addr, uint32_t now) {
  uint16_t i = 0;
  if (used_ < kSources) {
    i = static_cast<uint16_t>(used_++);
    if (used_ > stats_.high_water) stats_.high_water = static_cast<uint32_t>(used_);
  } else {
    i = oldest_;  // the table is full: the least recently seen source goes
    Unchain(i);
    Unlink(i);
    ++stats_.evicted;
  }
  Entry& e = entries_[i];
  e = Entry{};
  e.addr = addr;
  e.tokens = config_.burst * kUnit;
  e.last_ms = now;
  const size_t b = Hash(addr);
  e.chain = buckets_[b];
  buckets_[b] = i;
  Touch(i);
  return i;
}

void RateLimiter::Refill(Entry& e, uint32_t now) const {
  const uint32_t elapsed = now - e.last_ms;  // wraps cleanly
  e.last_ms = now;
  const uint64_t cap = uint64_t{config_.burst} * kUnit;
  // rate requests a second are rate thousandths a millisecond.
  const uint64_t tokens = e.tokens + uint64_t{elapsed} * config_.rate;
  e.tokens = static_cast<uint32_t>(tokens < cap ? tokens : cap);
}

bool RateLimiter::Admit(uint32_t source) {
  if (config_.rate == 0) return true;
  const uint32_t now = clock_.NowMs();
  uint16_t i = Find(source);
  if (i == kNone) {
    i = Insert(source, now);
  } else {
    Refill(entries_[i], now);
    Touch(i);
  }
  Entry& e = entries_[i];
  if (e.tokens < kUnit) return false;
  e.tokens -= kUnit;
  return true;
}

void RateLimiter::Count(uint32_t source, bool dropped) {
  ++(dropped ? stats_.dropped : stats_.refused);
  const uint16_t i = Find(source);
  if (i == kNone) return;
  Entry& e = entries_[i];
  const uint32_t now = clock_.NowMs();
  if (e.logging && now - e.log_ms < kLogIntervalMs) {
    ++e.over;
    return;
  }
  String<16> addr;
  (void)net::AppendIp4(addr, source);
  if (!e.logging || e.over == 0) {
    GW_LOG_WARN("sip", "%s over the rate limit (%u/s, burst %u): %s", addr.c_str(),
                static_cast<unsigned>(config_.rate), static_cast<unsigned>(config_.burst),
                dropped ? "dropping" : "answering 503");
  } else {
    GW_LOG_WARN("sip", "%s still over the rate limit: %u more requests refused in %u s",
                addr.c_str(), static_cast<unsigned>(e.over + 1),
                static_cast<unsigned>((now - e.log_ms) / 1000));
  }
  e.logging = true;
  e.log_ms = now;
  e.over = 0;
}

}  // namespace gw::sip
