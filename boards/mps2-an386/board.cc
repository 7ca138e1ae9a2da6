#include "board.h"

#include "boot_args.h"
#include "registers.h"

namespace gw::board {
namespace {

constexpr uint32_t MacSalt(const hal::MacAddress& mac) {
  uint32_t salt = 0;
  for (uint8_t b : mac) salt = (salt << 5) ^ (salt >> 27) ^ b;
  return salt;
}

}  // namespace

Board& InitBoard() {
  CmsdkUart& uart = ConsoleUart();
  uart.Init();
  SysTickClock::Start();
  EnableIrq();

  static SysTickClock clock;
  static UptimeWallClock wall_clock;
  static Lan9118 eth(kLan9118Base, kMacAddress);
  static WfiIdler idler(uart, eth);
  static JitterEntropy entropy(MacSalt(kMacAddress));
  static Board board{uart,    clock, wall_clock,         idler,
                     entropy, eth,   InitBoardStorage(), ReadBootArgs()};
  return board;
}

}  // namespace gw::board
