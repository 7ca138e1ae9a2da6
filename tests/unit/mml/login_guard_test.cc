#include "gw/mml/login_guard.h"

#include <gtest/gtest.h>

#include <cstring>

#include "gw/core/log.h"
#include "gw/net/address.h"
#include "gw/testing/fake_hal.h"

namespace gw::mml {
namespace {

constexpr uint32_t kPeer = net::MakeIp4(198, 51, 100, 1);
constexpr uint32_t kOther = net::MakeIp4(198, 51, 100, 9);

TEST(LoginGuard, DelayDoublesWithEachFailureInARowUpToTheCap) {
  testing::FakeClock clock;
  LoginGuard guard(clock);
  EXPECT_EQ(guard.Failed(kPeer), 1000u);
  EXPECT_EQ(guard.Failed(kPeer), 2000u);
  EXPECT_EQ(guard.Failed(kPeer), 4000u);
  EXPECT_EQ(guard.Failed(kPeer), 8000u);
  EXPECT_EQ(guard.LockedMs(kPeer), 0u);
  EXPECT_EQ(guard.Failed(kPeer), 16000u);  // the fifth: locked out
  EXPECT_EQ(guard.LockedMs(kPeer), LoginGuard::kLockoutMs);
  EXPECT_EQ(guard.stats().failures, 5u);
  EXPECT_EQ(guard.stats().lockouts, 1u);
  EXPECT_EQ(guard.Failed(kOther), 1000u);  // every source has its own streak
  EXPECT_EQ(guard.LockedMs(kOther), 0u);
}

TEST(LoginGuard, LockoutLastsAMinuteAndTheNextFailureLocksAgain) {
  testing::FakeClock clock;
  LoginGuard guard(clock);
  for (int i = 0; i < 5; ++i) (void)guard.Failed(kPeer);
  clock.now += 59999;
  EXPECT_EQ(guard.LockedMs(kPeer), 1u);
  clock.now += 1;
  EXPECT_EQ(guard.LockedMs(kPeer), 0u);
  // Still the same streak: one more failure is a minute again, at the cap.
  EXPECT_EQ(guard.Failed(kPeer), LoginGuard::kMaxDelayMs);
  EXPECT_EQ(guard.LockedMs(kPeer), LoginGuard::kLockoutMs);
  EXPECT_EQ(guard.stats().lockouts, 2u);
}

TEST(LoginGuard, SuccessOrAQuietSpellEndsTheStreak) {
  testing::FakeClock clock;
  LoginGuard guard(clock);
  (void)guard.Failed(kPeer);
  (void)guard.Failed(kPeer);
  guard.Succeeded(kPeer);
  EXPECT_EQ(guard.Failed(kPeer), 1000u);
  clock.now += LoginGuard::kForgetMs;
  EXPECT_EQ(guard.Failed(kPeer), 1000u);
  for (int i = 0; i < 4; ++i) (void)guard.Failed(kPeer);
  clock.now += LoginGuard::kForgetMs;  // a lockout, long over and forgotten
  EXPECT_EQ(guard.LockedMs(kPeer), 0u);
  EXPECT_EQ(guard.Failed(kPeer), 1000u);
}

TEST(LoginGuard, FullTableReusesTheOldestFailureAndStaysBounded) {
  testing::FakeClock clock;
  LoginGuard guard(clock);
  for (int i = 0; i < 5; ++i) (void)guard.Failed(kPeer);  // locked, the oldest
  for (uint32_t i = 1; i < LoginGuard::kSources; ++i) {
    clock.now += 10;
    (void)guard.Failed(net::MakeIp4(10, 0, 0, 0) + i);
  }
  EXPECT_EQ(guard.stats().evicted, 0u);
  EXPECT_GT(guard.LockedMs(kPeer), 0u);
  clock.now += 10;
  EXPECT_EQ(guard.Failed(kOther), 1000u);  // takes kPeer's entry
  EXPECT_EQ(guard.stats().evicted, 1u);
  EXPECT_EQ(guard.LockedMs(kPeer), 0u);
  EXPECT_EQ(guard.Failed(net::MakeIp4(10, 0, 0, 1)), 2000u);  // kept its streak
}

TEST(LoginGuard, RefusalsAreCountedAndLoggedOncePerLockout) {
  log::LogRing ring([](void*) -> uint32_t { return 0; }, nullptr);
  log::Install(&ring);
  testing::FakeClock clock;
  LoginGuard guard(clock);
  for (int i = 0; i < 5; ++i) (void)guard.Failed(kPeer);
  for (int i = 0; i < 20; ++i) guard.Refused(kPeer);
  EXPECT_EQ(guard.stats().refused, 20u);
  int refusal_lines = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    refusal_lines += std::strstr(ring[i].text, "login from 198.51.100.1 refused") ? 1 : 0;
  }
  EXPECT_EQ(refusal_lines, 1);
  EXPECT_NE(std::strstr(ring[ring.size() - 2].text,
                        "login failed from 198.51.100.1 (5 in a row): locked out for 60 s"),
            nullptr);
  log::Install(nullptr);
}

}  // namespace
}  // namespace gw::mml
