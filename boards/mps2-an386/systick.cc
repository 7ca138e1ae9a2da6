#include "systick.h"

#include "entropy.h"
#include "lan9118.h"
#include "registers.h"
#include "uart.h"

namespace gw::board {
namespace {

volatile uint32_t ticks = 0;
constexpr uint32_t kReload = kCoreClockHz / kTickHz - 1;
static_assert(kReload <= 0x00FF'FFFF, "SysTick reload is 24 bits");

}  // namespace

void SysTickClock::Start() {
  Write32(scs::kSysTickLoad, kReload);
  Write32(scs::kSysTickVal, 0);
  Write32(scs::kSysTickCtrl,
          scs::kSysTickClkSourceCpu | scs::kSysTickTickInt | scs::kSysTickEnable);
}

uint32_t SysTickClock::Ticks() {
  return ticks;
}

void SysTickClock::OnTick() {
  ticks = ticks + 1;
}

void WfiIdler::DoIdle(uint32_t max_ms) {
  const uint32_t start = SysTickClock::Ticks();
  while (true) {
    // Interrupts off between the check and WFI: an interrupt that arrives in
    // between stays pending and WFI returns at once instead of sleeping
    // through it. The handler runs right after EnableIrq().
    DisableIrq();
    const uint32_t now = SysTickClock::Ticks();
    if (eth_.RxPending() || uart_.RxPending() || now - start >= max_ms) {
      EnableIrq();
      break;
    }
    WaitForInterrupt();
    EnableIrq();
    idle_ticks_ += SysTickClock::Ticks() - now;
  }
}

}  // namespace gw::board

extern "C" void SysTick_Handler() {
  gw::board::SysTickClock::OnTick();
}
