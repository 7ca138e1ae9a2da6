#include "gw/core/event_loop.h"

namespace gw {

void EventLoop::RunOnce() {
  ++iterations_;
  for (Poller* p : pollers_) p->Poll();
  uint32_t now = clock_.NowMs();
  timers_.Advance(now);

  uint32_t wait = timers_.MsUntilNext(now, kMaxIdleMs);
  if (wait > 0 && !stop_) {
    uint32_t before = clock_.NowMs();
    idler_.Idle(wait);
    window_idle_ms_ += clock_.NowMs() - before;
  }

  now = clock_.NowMs();
  uint32_t span = now - window_start_;
  if (span >= kLoadWindowMs) {
    uint32_t idle = window_idle_ms_ > span ? span : window_idle_ms_;
    load_permille_ = static_cast<uint32_t>((static_cast<uint64_t>(span - idle) * 1000u) / span);
    window_start_ = now;
    window_idle_ms_ = 0;
  }
}

void EventLoop::Run() {
  while (!stop_) RunOnce();
}

}  // namespace gw
