#pragma once
// Process-wide services, one definition per target (link-time HAL).
#include <cstdint>
#include <string_view>

namespace gw::hal {

// Restarts the system. host-sim: exits the process with a restart code.
[[noreturn]] void CpuReset();

// Feeds the watchdog, if the target has one.
void WatchdogFeed();

// Writes a fatal message to the console and stops (halt on boards, abort in
// host-sim). Used for broken invariants and heap use after init.
[[noreturn]] void Panic(std::string_view message);

// Board or target name, e.g. "host-sim", "mps2-an386".
std::string_view BoardName();

}  // namespace gw::hal
