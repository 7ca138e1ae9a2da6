// The link-time HAL functions (hal/cpu.h) for host unit tests.
#include <cstdio>
#include <cstdlib>

#include "gw/hal/cpu.h"

namespace gw::hal {

void CpuReset() {
  std::abort();
}
void WatchdogFeed() {}
void Panic(std::string_view message) {
  std::fprintf(stderr, "PANIC: %.*s\n", static_cast<int>(message.size()), message.data());
  std::abort();
}
std::string_view BoardName() {
  return "unit-test";
}

}  // namespace gw::hal
