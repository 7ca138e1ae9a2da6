#pragma once
// The one event loop: every iteration polls the registered sources (netif
// input, lwIP timeouts, console, ...), fires due timers, then idles until the
// next timer. Time spent idle gives the CPU load.
#include <cstdint>

#include "gw/core/status.h"
#include "gw/core/timer_wheel.h"
#include "gw/core/vector.h"
#include "gw/hal/clock.h"
#include "gw/hal/idle.h"

namespace gw {

class Poller {
 public:
  virtual ~Poller() = default;
  // Handles whatever input is pending; must not block.
  void Poll() { DoPoll(); }

 private:
  virtual void DoPoll() = 0;
};

class EventLoop {
 public:
  static constexpr size_t kMaxPollers = 8;
  static constexpr uint32_t kMaxIdleMs = 50;  // lwIP timeouts need ticks
  static constexpr uint32_t kLoadWindowMs = 5000;

  EventLoop(hal::MonotonicClock& clock, hal::Idler& idler, TimerWheel& timers)
      : clock_(clock), idler_(idler), timers_(timers), window_start_(clock.NowMs()) {}

  // ResourceExhausted past kMaxPollers.
  Status AddPoller(Poller& poller) { return pollers_.push_back(&poller); }
  // One iteration: poll, fire timers, idle.
  void RunOnce();
  // Iterates until Stop().
  void Run();
  void Stop() { stop_ = true; }
  bool stopping() const { return stop_; }

  // CPU load over the last complete window, in per mille (0..1000).
  uint32_t LoadPermille() const { return load_permille_; }
  uint64_t iterations() const { return iterations_; }
  TimerWheel& timers() { return timers_; }
  hal::MonotonicClock& clock() { return clock_; }

 private:
  hal::MonotonicClock& clock_;
  hal::Idler& idler_;
  TimerWheel& timers_;
  Vector<Poller*, kMaxPollers> pollers_;
  bool stop_ = false;
  uint32_t window_start_;
  uint32_t window_idle_ms_ = 0;
  uint32_t load_permille_ = 0;
  uint64_t iterations_ = 0;
};

}  // namespace gw
