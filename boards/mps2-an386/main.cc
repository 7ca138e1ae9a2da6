// The board image's entry: bring the board up, describe it to the portable
// core (gw::app::Platform) and run the gateway.
#include "board.h"
#include "gw/app/platform.h"
#include "gw/hal/cpu.h"
#include "registers.h"

int main() {
  gw::board::Board& board = gw::board::InitBoard();

  // QEMU user networking: the guest is 10.0.2.15, the host side 10.0.2.2.
  gw::app::Platform platform{
      .clock = board.clock,
      .wall_clock = board.wall_clock,
      .idler = board.idler,
      .console = board.uart,
      .entropy = board.entropy,
      .net = board.eth,
      .config_storage = board.storage.config,
      .user_storage = board.storage.users,
      .cdr_storage = board.storage.cdr,
      .net_config = {.address = {10, 0, 2, 15},
                     .netmask = {255, 255, 255, 0},
                     .gateway = {10, 0, 2, 2}},
      .overrides = board.boot_args,
  };
  const int code = gw::app::Run(platform);
  board.uart.WriteRaw(code == 0 ? "\r\ngateway stopped\r\n"
                                : "\r\ngateway stopped with an error\r\n");
  // Nothing to return to on a board: halt until reset.
  while (true) {
    gw::board::WaitForInterrupt();
  }
}
