#pragma once
// What a target hands the portable core: its HAL instances and start-up
// facts. host-sim's main() and each board's main() fill one and call Run().
#include <array>
#include <cstdint>
#include <string_view>

#include "gw/hal/clock.h"
#include "gw/hal/console.h"
#include "gw/hal/entropy.h"
#include "gw/hal/idle.h"
#include "gw/hal/net_device.h"
#include "gw/hal/storage.h"

namespace gw::app {

using Ip4 = std::array<uint8_t, 4>;

struct NetConfig {
  Ip4 address{};
  Ip4 netmask{};
  Ip4 gateway{};
};

struct Platform {
  hal::MonotonicClock& clock;
  hal::WallClock& wall_clock;
  hal::Idler& idler;
  hal::Console& console;
  hal::Entropy& entropy;
  hal::NetDevice& net;
  hal::StorageRegion& config_storage;  // JSON config (SET CFG)
  hal::StorageRegion& user_storage;    // subscribers (next issue)
  hal::StorageRegion& cdr_storage;     // CDR log (later issue)
  NetConfig net_config;
  // Config overrides applied at start and not persisted, as space-separated
  // KEY=VALUE pairs with MML key names, e.g.
  // "SIP.ADVERTISE_ADDR=127.0.0.1 SIP.ADVERTISE_PORT=5062" (tools/qemu).
  std::string_view overrides;
};

// Brings everything up and runs the event loop until RequestStop(). Returns
// the process exit code (0 after a clean stop).
int Run(Platform& platform);

// Async-signal-safe: asks the running loop to stop after this iteration.
void RequestStop();

}  // namespace gw::app
