#include "gw/core/event_loop.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

class FakeClock : public hal::MonotonicClock {
 public:
  uint32_t now = 0;

 private:
  uint32_t DoNowMs() override { return now; }
};

// Idling advances the fake clock by the whole wait, or by busy_ms of work
// per iteration when busy.
class FakeIdler : public hal::Idler {
 public:
  explicit FakeIdler(FakeClock& c) : clock_(c) {}
  uint32_t last_wait = 0;

 private:
  void DoIdle(uint32_t max_ms) override {
    last_wait = max_ms;
    clock_.now += max_ms;
  }
  FakeClock& clock_;
};

class CountingPoller : public Poller {
 public:
  explicit CountingPoller(FakeClock& c, uint32_t work_ms) : clock_(c), work_ms_(work_ms) {}
  int polls = 0;

 private:
  void DoPoll() override {
    ++polls;
    clock_.now += work_ms_;
  }
  FakeClock& clock_;
  uint32_t work_ms_;
};

TEST(EventLoop, IdlesUntilNextTimerAndFiresIt) {
  FakeClock clock;
  FakeIdler idler(clock);
  TimerWheel wheel(0);
  EventLoop loop(clock, idler, wheel);
  int fired = 0;
  Timer t([](void* p) { ++*static_cast<int*>(p); }, &fired);
  wheel.Schedule(t, 30);
  loop.RunOnce();
  EXPECT_EQ(idler.last_wait, 30u);
  loop.RunOnce();
  EXPECT_EQ(fired, 1);
  loop.RunOnce();
  EXPECT_EQ(idler.last_wait, EventLoop::kMaxIdleMs);
}

TEST(EventLoop, LoadReflectsBusyVersusIdleTime) {
  FakeClock clock;
  FakeIdler idler(clock);
  TimerWheel wheel(0);
  EventLoop loop(clock, idler, wheel);
  CountingPoller poller(clock, EventLoop::kMaxIdleMs);  // busy half the time
  ASSERT_TRUE(loop.AddPoller(poller).ok());
  while (clock.now < 2 * EventLoop::kLoadWindowMs) loop.RunOnce();
  EXPECT_NEAR(loop.LoadPermille(), 500u, 20u);
  EXPECT_GT(poller.polls, 0);
}

TEST(EventLoop, PollerTableIsBounded) {
  FakeClock clock;
  FakeIdler idler(clock);
  TimerWheel wheel(0);
  EventLoop loop(clock, idler, wheel);
  CountingPoller p(clock, 0);
  for (size_t i = 0; i < EventLoop::kMaxPollers; ++i) EXPECT_TRUE(loop.AddPoller(p).ok());
  EXPECT_EQ(loop.AddPoller(p), Status::ResourceExhausted());
}

}  // namespace
}  // namespace gw
