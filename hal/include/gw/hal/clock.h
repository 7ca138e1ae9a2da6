#pragma once
// Time sources the core reads. Injected, so tests drive a FakeClock by hand.
#include <cstdint>

namespace gw::hal {

// Monotonic milliseconds since boot. Wraps after ~49 days; users compare
// with unsigned subtraction.
class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  uint32_t NowMs() { return DoNowMs(); }

 private:
  virtual uint32_t DoNowMs() = 0;
};

// Wall-clock time (UTC). On boards it is set by SNTP; until then Synced()
// is false and NowUnixSeconds() counts from the epoch plus uptime.
class WallClock {
 public:
  virtual ~WallClock() = default;
  int64_t NowUnixSeconds() { return DoNowUnixSeconds(); }
  bool Synced() { return DoSynced(); }

 private:
  virtual int64_t DoNowUnixSeconds() = 0;
  virtual bool DoSynced() = 0;
};

}  // namespace gw::hal
