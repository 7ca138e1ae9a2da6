#include "gw/sip/rate_limiter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "gw/core/log.h"
#include "gw/net/address.h"
#include "gw/testing/fake_hal.h"

namespace gw::sip {
namespace {

constexpr uint32_t kPhone = net::MakeIp4(198, 51, 100, 7);
constexpr uint32_t kOther = net::MakeIp4(198, 51, 100, 8);

RateLimitConfig Limit(uint32_t rate, uint32_t burst, RateAction action = RateAction::kReply) {
  RateLimitConfig c;
  c.rate = rate;
  c.burst = burst;
  c.action = action;
  return c;
}

// Admits n requests from source and returns how many passed.
int Send(RateLimiter& limiter, uint32_t source, int n) {
  int passed = 0;
  for (int i = 0; i < n; ++i) passed += limiter.Admit(source) ? 1 : 0;
  return passed;
}

// A log ring installed for one test, with the lines of one tag counted.
struct LogCapture {
  LogCapture() { log::Install(&ring); }
  ~LogCapture() { log::Install(nullptr); }
  int Count(const char* needle) const {
    int n = 0;
    for (size_t i = 0; i < ring.size(); ++i) n += std::strstr(ring[i].text, needle) ? 1 : 0;
    return n;
  }
  log::LogRing ring{[](void*) -> uint32_t { return 0; }, nullptr};
};

TEST(RateLimiter, OffAdmitsEverythingAndTracksNothing) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  EXPECT_EQ(Send(limiter, kPhone, 10000), 10000);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, BurstPassesThenTheRestIsRefused) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(10, 20));
  EXPECT_EQ(Send(limiter, kPhone, 20), 20);  // the burst, at one instant
  EXPECT_FALSE(limiter.Admit(kPhone));
  EXPECT_EQ(Send(limiter, kOther, 20), 20);  // another source has its own bucket
  EXPECT_EQ(limiter.size(), 2u);
}

TEST(RateLimiter, RefillsWithTimeAtTheRate) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(10, 5));
  EXPECT_EQ(Send(limiter, kPhone, 5), 5);
  EXPECT_FALSE(limiter.Admit(kPhone));
  clock.now += 99;  // 0.99 requests' worth
  EXPECT_FALSE(limiter.Admit(kPhone));
  clock.now += 1;
  EXPECT_TRUE(limiter.Admit(kPhone));
  EXPECT_FALSE(limiter.Admit(kPhone));
  clock.now += 300;
  EXPECT_EQ(Send(limiter, kPhone, 10), 3);
  clock.now += 60000;  // a long pause fills the bucket to the burst, not more
  EXPECT_EQ(Send(limiter, kPhone, 10), 5);
}

TEST(RateLimiter, SteadyTrafficUnderTheRatePassesOverItIsCut) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(50, 10));
  int passed = 0;
  for (int ms = 0; ms < 10000; ms += 25) {  // 40/s for 10 s
    clock.now += 25;
    passed += limiter.Admit(kPhone) ? 1 : 0;
  }
  EXPECT_EQ(passed, 400);
  passed = 0;
  for (int ms = 0; ms < 10000; ms += 10) {  // 100/s, twice the rate, for 10 s
    clock.now += 10;
    passed += limiter.Admit(kPhone) ? 1 : 0;
  }
  // The rate's 500 plus the burst left over from the quiet part.
  EXPECT_GE(passed, 500);
  EXPECT_LE(passed, 510);
}

TEST(RateLimiter, ClockWrapIsSeamless) {
  testing::FakeClock clock;
  clock.now = 0xFFFFFF00u;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(10, 2));
  EXPECT_EQ(Send(limiter, kPhone, 3), 2);
  clock.now += 0x200;  // wraps past zero: 512 ms later
  EXPECT_EQ(Send(limiter, kPhone, 3), 2);
}

TEST(RateLimiter, TableStaysBoundedAndTheLeastRecentSourceGoes) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(1, 2));
  // kPhone empties its bucket first, so it is the least recently seen.
  EXPECT_EQ(Send(limiter, kPhone, 3), 2);
  EXPECT_EQ(Send(limiter, kOther, 3), 2);
  for (uint32_t i = 0; i < RateLimiter::kSources - 2; ++i) {
    ASSERT_TRUE(limiter.Admit(net::MakeIp4(10, 0, 0, 0) + i));
  }
  EXPECT_EQ(limiter.size(), RateLimiter::kSources);
  EXPECT_EQ(limiter.stats().evicted, 0u);
  EXPECT_FALSE(limiter.Admit(kOther));  // seen: still empty, and now the newest

  EXPECT_TRUE(limiter.Admit(net::MakeIp4(172, 16, 0, 1)));  // takes kPhone's entry
  EXPECT_EQ(limiter.size(), RateLimiter::kSources);
  EXPECT_EQ(limiter.stats().evicted, 1u);
  EXPECT_EQ(limiter.stats().high_water, RateLimiter::kSources);
  EXPECT_FALSE(limiter.Admit(kOther));  // kOther was kept, bucket and all
  EXPECT_TRUE(limiter.Admit(kPhone));   // kPhone comes back with a full bucket
  EXPECT_EQ(limiter.stats().evicted, 2u);

  // A flood of fresh addresses cycles the table and never grows it.
  for (uint32_t i = 0; i < 4 * RateLimiter::kSources; ++i) {
    (void)limiter.Admit(net::MakeIp4(203, 0, 0, 0) + i);
  }
  EXPECT_EQ(limiter.size(), RateLimiter::kSources);
  EXPECT_EQ(limiter.stats().evicted, 2u + 4 * RateLimiter::kSources);
  EXPECT_EQ(Send(limiter, net::MakeIp4(203, 0, 0, 0) + 4 * RateLimiter::kSources - 1, 3), 1);
}

TEST(RateLimiter, ReconfigureCutsBucketsToTheNewBurstAndOffForgets) {
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(10, 100));
  EXPECT_TRUE(limiter.Admit(kPhone));
  limiter.Configure(Limit(10, 3));
  EXPECT_EQ(Send(limiter, kPhone, 10), 3);
  limiter.Configure(Limit(0, 3));
  EXPECT_EQ(limiter.size(), 0u);
  EXPECT_EQ(Send(limiter, kPhone, 10), 10);
}

TEST(RateLimiter, OneLogLinePerSourcePerInterval) {
  LogCapture log;
  testing::FakeClock clock;
  RateLimiter limiter(clock);
  limiter.Configure(Limit(1, 1));
  ASSERT_TRUE(limiter.Admit(kPhone));
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(limiter.Admit(kPhone));
    limiter.Refused(kPhone);
  }
  EXPECT_EQ(limiter.stats().refused, 100u);
  EXPECT_EQ(log.Count("198.51.100.7 over the rate limit (1/s, burst 1): answering 503"), 1);
  EXPECT_EQ(log.Count("still over"), 0);
  ASSERT_TRUE(limiter.Admit(kOther));
  ASSERT_FALSE(limiter.Admit(kOther));
  limiter.Dropped(kOther);  // another source logs on its own
  EXPECT_EQ(log.Count("198.51.100.8 over the rate limit (1/s, burst 1): dropping"), 1);
  EXPECT_EQ(limiter.stats().dropped, 1u);

  // The next interval: one summary line for what was refused since.
  clock.now += RateLimiter::kLogIntervalMs;
  ASSERT_TRUE(limiter.Admit(kPhone));
  for (int i = 0; i < 30; ++i) {
    ASSERT_FALSE(limiter.Admit(kPhone));
    limiter.Refused(kPhone);
  }
  EXPECT_EQ(log.Count("198.51.100.7 still over the rate limit: 100 more requests refused in 10 s"),
            1);
  EXPECT_EQ(log.ring.size(), 3u);
}

}  // namespace
}  // namespace gw::sip
