#pragma once
// Time and idling on the Cortex-M4: SysTick at 1 kHz from the 25 MHz core
// clock, an unsynchronised wall clock, and WFI.
#include <cstdint>

#include "gw/hal/clock.h"
#include "gw/hal/idle.h"

namespace gw::board {

class CmsdkUart;
class Lan9118;

class SysTickClock final : public hal::MonotonicClock {
 public:
  // Starts SysTick: one interrupt per millisecond.
  static void Start();
  // Milliseconds since Start(); read from interrupts and drivers.
  static uint32_t Ticks();
  // Called by the SysTick exception.
  static void OnTick();

 private:
  uint32_t DoNowMs() override { return Ticks(); }
};

// Until SNTP sets it (a later issue), wall time is a fixed epoch plus uptime
// and Synced() is false, so CDRs say they are unsynchronised.
class UptimeWallClock final : public hal::WallClock {
 public:
  // 2024-01-01T00:00:00Z.
  static constexpr int64_t kDefaultEpoch = 1'704'067'200;

 private:
  int64_t DoNowUnixSeconds() override { return kDefaultEpoch + SysTickClock::Ticks() / 1000; }
  bool DoSynced() override { return false; }
};

// Sleeps with WFI until input is pending or max_ms pass. SysTick wakes the
// core every millisecond; the LAN9118 RX interrupt wakes it for a frame.
class WfiIdler final : public hal::Idler {
 public:
  WfiIdler(CmsdkUart& uart, Lan9118& eth) : uart_(uart), eth_(eth) {}

  // Milliseconds spent in WFI since boot (for CPU load figures).
  uint32_t IdleTicks() const { return idle_ticks_; }

 private:
  void DoIdle(uint32_t max_ms) override;

  CmsdkUart& uart_;
  Lan9118& eth_;
  uint32_t idle_ticks_ = 0;
};

}  // namespace gw::board
