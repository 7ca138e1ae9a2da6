#include "gw/core/timer_wheel.h"

namespace gw {

void TimerWheel::Link(Timer& t) {
  Timer*& head = slots_[t.expiry_tick_ % kSlots];
  t.prev_ = nullptr;
  t.next_ = head;
  if (head != nullptr) head->prev_ = &t;
  head = &t;
  t.active_ = true;
  ++active_;
}

void TimerWheel::Unlink(Timer& t) {
  if (t.prev_ != nullptr) {
    t.prev_->next_ = t.next_;
  } else {
    slots_[t.expiry_tick_ % kSlots] = t.next_;
  }
  if (t.next_ != nullptr) t.next_->prev_ = t.prev_;
  t.prev_ = t.next_ = nullptr;
  t.active_ = false;
  --active_;
}

void TimerWheel::Schedule(Timer& timer, uint32_t delay_ms) {
  if (timer.active_) Unlink(timer);
  uint32_t ticks = (delay_ms + kTickMs - 1) / kTickMs;
  if (ticks == 0) ticks = 1;
  timer.expiry_tick_ = tick_ + ticks;
  Link(timer);
}

void TimerWheel::Cancel(Timer& timer) {
  if (timer.active_) Unlink(timer);
}

size_t TimerWheel::Advance(uint32_t now_ms) {
  const uint32_t elapsed = sub_ms_ + (now_ms - last_ms_);
  if (static_cast<int32_t>(now_ms - last_ms_) < 0) return 0;  // clock went back
  last_ms_ = now_ms;
  sub_ms_ = elapsed % kTickMs;
  const uint32_t target = tick_ + elapsed / kTickMs;
  size_t fired = 0;
  // Visit each slot at most once per call: a jump longer than the wheel
  // still fires everything due, because each slot is scanned for all due
  // expiries, not just the current round's.
  uint32_t steps = target - tick_;
  if (static_cast<int32_t>(steps) <= 0) return 0;
  if (steps > kSlots) steps = kSlots;
  const uint32_t first = target - steps + 1;
  tick_ = target;
  for (uint32_t i = 0; i < steps; ++i) {
    const size_t slot = (first + i) % kSlots;
    // Restart from the head after each callback: it may have changed the
    // list (cancelled the next timer, re-armed itself into this slot).
    for (;;) {
      Timer* t = slots_[slot];
      while (t != nullptr && !Due(t->expiry_tick_, target)) t = t->next_;
      if (t == nullptr) break;
      Unlink(*t);
      ++fired;
      t->callback_(t->context_);
    }
  }
  return fired;
}

uint32_t TimerWheel::MsUntilNext(uint32_t now_ms, uint32_t cap_ms) const {
  if (active_ == 0) return cap_ms;
  uint32_t best = cap_ms;
  // Milliseconds already elapsed into the wheel's current tick.
  const int64_t into = static_cast<int64_t>(sub_ms_) + static_cast<int32_t>(now_ms - last_ms_);
  for (const Timer* head : slots_) {
    for (const Timer* t = head; t != nullptr; t = t->next_) {
      int64_t ms =
          static_cast<int64_t>(static_cast<int32_t>(t->expiry_tick_ - tick_)) * kTickMs - into;
      if (ms < 0) ms = 0;
      if (ms < best) best = static_cast<uint32_t>(ms);
    }
  }
  return best;
}

}  // namespace gw
