#pragma once
// A hashed timer wheel driven by the monotonic clock. Timers are intrusive
// (owned by whoever embeds them), so scheduling never allocates and the
// wheel has no capacity to run out of.
#include <cstddef>
#include <cstdint>

namespace gw {

class Timer {
 public:
  using Callback = void (*)(void* context);
  Timer(Callback callback, void* context) : callback_(callback), context_(context) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  bool active() const { return active_; }

 private:
  friend class TimerWheel;
  Callback callback_;
  void* context_;
  Timer* prev_ = nullptr;
  Timer* next_ = nullptr;
  uint32_t expiry_tick_ = 0;
  bool active_ = false;
};

class TimerWheel {
 public:
  static constexpr uint32_t kTickMs = 10;
  static constexpr size_t kSlots = 256;

  explicit TimerWheel(uint32_t now_ms) : last_ms_(now_ms) {}
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;
  // Timers must be cancelled by their owners before the wheel goes away.
  ~TimerWheel() = default;

  // Arms timer to fire delay_ms after the wheel's current time (rounded up to
  // a tick, at least one tick). Re-arms a timer that is already active.
  void Schedule(Timer& timer, uint32_t delay_ms);
  // Disarms timer; harmless if it is not active.
  void Cancel(Timer& timer);
  // Moves the wheel to now_ms and fires every timer due by then, in expiry
  // order within a tick. Callbacks may schedule and cancel timers freely.
  // Returns the number fired.
  size_t Advance(uint32_t now_ms);
  // Milliseconds from now_ms until the earliest timer, capped at cap_ms.
  uint32_t MsUntilNext(uint32_t now_ms, uint32_t cap_ms) const;

  size_t active_count() const { return active_; }

 private:
  static bool Due(uint32_t expiry, uint32_t now) { return static_cast<int32_t>(expiry - now) <= 0; }
  void Link(Timer& t);
  void Unlink(Timer& t);

  Timer* slots_[kSlots] = {};
  // Ticks count from construction and advance by millisecond deltas, so a
  // wrap of the millisecond clock is seamless.
  uint32_t tick_ = 0;
  uint32_t last_ms_;
  uint32_t sub_ms_ = 0;  // milliseconds into the current tick
  size_t active_ = 0;
};

}  // namespace gw
