#include "gw/core/timer_wheel.h"

#include <gtest/gtest.h>

#include <vector>

namespace gw {
namespace {

struct Probe {
  std::vector<int>* order;
  int id;
  static void Fire(void* ctx) {
    auto* p = static_cast<Probe*>(ctx);
    p->order->push_back(p->id);
  }
};

TEST(TimerWheel, FiresAtDeadlineNotBefore) {
  std::vector<int> order;
  Probe p{&order, 1};
  Timer t(&Probe::Fire, &p);
  TimerWheel wheel(1000);
  wheel.Schedule(t, 500);
  EXPECT_EQ(wheel.Advance(1490), 0u);
  EXPECT_TRUE(t.active());
  EXPECT_EQ(wheel.MsUntilNext(1490, 10000), 10u);
  EXPECT_EQ(wheel.Advance(1500), 1u);
  EXPECT_FALSE(t.active());
  EXPECT_EQ(order, std::vector<int>{1});
  EXPECT_EQ(wheel.active_count(), 0u);
}

TEST(TimerWheel, LongDelaysSurviveManyRevolutions) {
  std::vector<int> order;
  Probe p{&order, 7};
  Timer t(&Probe::Fire, &p);
  TimerWheel wheel(0);
  wheel.Schedule(t, 32000);  // 3200 ticks, > 12 revolutions
  for (uint32_t now = 0; now < 32000; now += 10) wheel.Advance(now);
  EXPECT_TRUE(order.empty());
  wheel.Advance(32000);
  EXPECT_EQ(order, std::vector<int>{7});
}

TEST(TimerWheel, BigJumpFiresEverythingDue) {
  std::vector<int> order;
  Probe a{&order, 1}, b{&order, 2}, c{&order, 3};
  Timer ta(&Probe::Fire, &a), tb(&Probe::Fire, &b), tc(&Probe::Fire, &c);
  TimerWheel wheel(0);
  wheel.Schedule(ta, 100);
  wheel.Schedule(tb, 5000);
  wheel.Schedule(tc, 90000);
  EXPECT_EQ(wheel.Advance(60000), 2u);
  EXPECT_TRUE(tc.active());
  wheel.Cancel(tc);
  EXPECT_EQ(wheel.active_count(), 0u);
}

TEST(TimerWheel, CallbackMayRescheduleAndCancelOthers) {
  TimerWheel wheel(0);
  struct Ctx {
    TimerWheel* wheel;
    Timer* self;
    Timer* other;
    int fired = 0;
  } ctx{&wheel, nullptr, nullptr};
  Timer self(
      [](void* p) {
        auto* c = static_cast<Ctx*>(p);
        if (++c->fired < 3) c->wheel->Schedule(*c->self, 10);
        c->wheel->Cancel(*c->other);
      },
      &ctx);
  std::vector<int> order;
  Probe po{&order, 5};
  Timer other(&Probe::Fire, &po);
  ctx.self = &self;
  ctx.other = &other;
  wheel.Schedule(self, 10);
  wheel.Schedule(other, 10);
  for (uint32_t now = 10; now <= 100; now += 10) wheel.Advance(now);
  EXPECT_EQ(ctx.fired, 3);
  EXPECT_TRUE(order.empty() || order.size() == 1u);
  EXPECT_EQ(wheel.active_count(), 0u);
}

TEST(TimerWheel, ClockWrapIsHandled) {
  std::vector<int> order;
  Probe p{&order, 1};
  Timer t(&Probe::Fire, &p);
  const uint32_t start = 0xFFFFFFFFu - 995;  // 996 ms before the wrap
  TimerWheel wheel(start);
  wheel.Schedule(t, 2000);
  wheel.Advance(start + 1000);  // wraps past zero
  EXPECT_TRUE(order.empty());
  wheel.Advance(start + 2010);
  EXPECT_EQ(order.size(), 1u);
}

}  // namespace
}  // namespace gw
