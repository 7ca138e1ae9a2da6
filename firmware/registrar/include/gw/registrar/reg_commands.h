#pragma once
// MML commands over the location table:
//   DSP REG [USERNAME=..]             bindings: AOR, contact, source, NAT, expires left, UA
//   RMV REG USERNAME=.. CONFIRM=YES   removes every binding of one AOR
//   CLR REG CONFIRM=YES               removes every binding
#include "gw/core/status.h"
#include "gw/hal/clock.h"
#include "gw/mml/command.h"
#include "gw/registrar/location.h"

namespace gw::registrar {

struct RegCommandDeps {
  LocationTable& table;
  hal::MonotonicClock& clock;
};

// deps must outlive the table. Statuses of CommandTable::Register.
Status RegisterRegCommands(mml::CommandTable& table, RegCommandDeps& deps);

}  // namespace gw::registrar
