#pragma once
// RateLimiter: flood protection for SIP requests, like Kamailio's pike
// module: one token bucket per source IPv4 address. A bucket holds up to
// `burst` requests and refills at `rate` requests a second; a request that
// finds it empty is over the limit, and the Stack answers it 503 with
// Retry-After or drops it (SIP.RATE_ACTION).
//
// The sources live in a fixed table of kSources entries found by a hash.
// When the table is full, a new source takes the entry of the source seen
// least recently (it starts again with a full bucket): an idle source loses
// nothing, and a flood of spoofed addresses can only cycle the table, never
// grow it. Pike has the same weakness, a source hidden in such a churn gets
// a fresh bucket, which is bounded by the burst.
//
// Each source over the limit is logged once per kLogIntervalMs (the first
// refusal, then a summary of how many were refused in the interval), never
// once per packet; the stats count every refusal.
#include <cstddef>
#include <cstdint>

#include "gw/hal/clock.h"
#include "gw_profile.h"

namespace gw::sip {

enum class RateAction : uint8_t {
  kReply,  // answer 503 Service Unavailable with Retry-After
  kDrop,   // drop silently (nothing for an attacker to measure)
};

struct RateLimitConfig {
  uint32_t rate = 0;  // requests per second per source; 0 = no limit
  uint32_t burst = 1;
  RateAction action = RateAction::kReply;
  // Retry-After of the 503: a well-behaved client waits this long, by
  // which time its bucket holds rate * retry_after_s requests again.
  uint32_t retry_after_s = 5;
};

struct RateLimitStats {
  uint32_t refused = 0;     // answered 503
  uint32_t dropped = 0;     // dropped (RateAction::kDrop, or not answerable)
  uint32_t evicted = 0;     // sources whose entry went to a newer source
  uint32_t high_water = 0;  // most sources tracked at once
};

class RateLimiter {
 public:
  static constexpr size_t kSources = GW_CAP_RATE_SOURCES;
  static constexpr uint32_t kLogIntervalMs = 10000;

  // clock must outlive the limiter. Starts with no limit (rate 0).
  explicit RateLimiter(hal::MonotonicClock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // New figures apply to the next request; buckets above the new burst are
  // cut down to it. A rate of 0 admits everything and tracks nothing.
  void Configure(const RateLimitConfig& config);
  const RateLimitConfig& config() const { return config_; }

  // Takes one request from source's bucket: true if it may pass. False
  // means over the limit: the caller answers or drops it and calls
  // Refused or Dropped so that the stats and the log tell.
  bool Admit(uint32_t source);
  void Refused(uint32_t source) { Count(source, /*dropped=*/false); }
  void Dropped(uint32_t source) { Count(source, /*dropped=*/true); }

  const RateLimitStats& stats() const { return stats_; }
  size_t size() const { return used_; }

 private:
  static constexpr uint16_t kNone = 0xFFFF;
  static constexpr size_t kBuckets = kSources;  // hash chains, about 1 long
  static_assert(kSources > 0 && kSources < kNone, "entries are indexed by uint16_t");

  struct Entry {
    uint32_t addr = 0;
    uint32_t tokens = 0;     // thousandths of a request
    uint32_t last_ms = 0;    // when the bucket was last refilled
    uint32_t log_ms = 0;     // start of the current log interval
    uint32_t over = 0;       // refusals in the current log interval
    uint16_t chain = kNone;  // next entry of the same hash bucket
    uint16_t newer = kNone;  // recency list: toward the most recent
    uint16_t older = kNone;  // recency list: toward the least recent
    bool logging = false;    // an interval with refusals is open
  };

  static size_t Hash(uint32_t addr);
  uint16_t Find(uint32_t addr) const;
  uint16_t Insert(uint32_t addr, uint32_t now);
  void Unchain(uint16_t i);
  void Touch(uint16_t i);
  void Unlink(uint16_t i);
  void Refill(Entry& e, uint32_t now) const;
  void Count(uint32_t source, bool dropped);
  void Clear();

  hal::MonotonicClock& clock_;
  RateLimitConfig config_;
  RateLimitStats stats_;
  Entry entries_[kSources];
  uint16_t buckets_[kBuckets];
  size_t used_ = 0;
  uint16_t newest_ = kNone;
  uint16_t oldest_ = kNone;
};

}  // namespace gw::sip
