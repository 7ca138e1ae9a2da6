// Link-time HAL services (gw/hal/cpu.h) for the mps2-an386.
#include "gw/hal/cpu.h"

#include "registers.h"
#include "uart.h"

namespace gw::hal {

void CpuReset() {
  board::DataSyncBarrier();
  const uint32_t priority_group =
      board::Read32(board::scs::kAircr) & board::scs::kAircrPriGroupMask;
  board::Write32(board::scs::kAircr,
                 board::scs::kAircrVectKey | priority_group | board::scs::kAircrSysResetReq);
  board::DataSyncBarrier();
  while (true) {
  }
}

// The AN386 image has no watchdog wired to reset.
void WatchdogFeed() {}

void Panic(std::string_view message) {
  board::DisableIrq();
  static bool in_panic = false;
  board::CmsdkUart& uart = board::ConsoleUart();
  if (!in_panic) {
    in_panic = true;
    uart.Init();  // the UART may not be enabled yet (early panic)
    uart.WriteRaw("\r\nPANIC: ");
    uart.WriteRaw(message);
    uart.WriteRaw("\r\n");
  }
  while (true) {
  }
}

std::string_view BoardName() {
  return "mps2-an386";
}

}  // namespace gw::hal
