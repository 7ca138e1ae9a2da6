// The link-time HAL (gw/hal/cpu.h) for host-sim.
#include "gw/hal/cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gw/host/terminal.h"

namespace gw::hal {

// Exit code 3 tells a supervisor (tools/sim, a test) "restart me".
void CpuReset() {
  gw::host::RestoreTerminal();
  fflush(stdout);
  exit(3);
}

void WatchdogFeed() {}

void Panic(std::string_view message) {
  fflush(stdout);
  fprintf(stderr, "PANIC: %.*s\n", static_cast<int>(message.size()), message.data());
  fflush(stderr);
  gw::host::RestoreTerminal();
  abort();
}

std::string_view BoardName() {
  return "host-sim";
}

}  // namespace gw::hal
