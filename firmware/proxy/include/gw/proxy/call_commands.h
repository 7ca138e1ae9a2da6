#pragma once
// MML commands over the proxy's calls:
//   DSP CALL                          caller, callee, state, duration, Call-ID
//   RMV CALL CALLID=.. CONFIRM=YES    ends one call (BYE to both sides)
//   CLR CALL CONFIRM=YES              ends every call
#include "gw/core/status.h"
#include "gw/hal/clock.h"
#include "gw/mml/command.h"
#include "gw/proxy/core.h"

namespace gw::proxy {

struct CallCommandDeps {
  Core& core;
  hal::MonotonicClock& clock;
};

// deps must outlive the table. Statuses of CommandTable::Register.
Status RegisterCallCommands(mml::CommandTable& table, CallCommandDeps& deps);

}  // namespace gw::proxy
