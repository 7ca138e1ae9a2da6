#pragma once
// The mps2-an386 board: its facts and its HAL instances, brought up once by
// main(). Only board code and the board's main() include this.
#include <string_view>

#include "entropy.h"
#include "lan9118.h"
#include "ram_storage.h"
#include "systick.h"
#include "uart.h"

namespace gw::board {

inline constexpr std::string_view kName = "mps2-an386";
// Locally administered MAC address ("MPS2" in the middle).
inline constexpr hal::MacAddress kMacAddress = {0x02, 0x4D, 0x50, 0x53, 0x32, 0x01};

struct Board {
  CmsdkUart& uart;
  SysTickClock& clock;
  UptimeWallClock& wall_clock;
  WfiIdler& idler;
  JitterEntropy& entropy;
  Lan9118& eth;
  BoardStorage storage;
  std::string_view boot_args;
};

// Console up, SysTick running, storage checked, boot arguments read. The
// Ethernet device is started later by whoever owns the netif (NetDevice::Start).
Board& InitBoard();

}  // namespace gw::board
