#pragma once
// The commands the MML module itself provides. The composition root calls
// RegisterBuiltinCommands once at init; other modules register theirs into
// the same CommandTable.
//
//   LST CMD                      all commands with a help line
//   HELP [VERB=..] [OBJECT=..]   one command's parameters (also HELP DSP CFG)
//   LOGOUT                       ends the session
//   DSP CFG [KEY=..]             configuration keys
//   SET CFG KEY=.. VALUE=..      validates, persists at once
//   EXP CFG                      the stored JSON document
//   RST CFG CONFIRM=YES          factory defaults, persisted
//   DSP LOG [LINES=..] [LEVEL=..] recent log lines, newest last
//   SET LOG LEVEL=..             log level now (and persisted as LOG.LEVEL)
//   DSP SYSINFO                  version, board, uptime, clock, capacities, pools
//   DSP PERF                     CPU load, pool high-water marks, counters
#include "gw/config/config_store.h"
#include "gw/core/log.h"
#include "gw/core/status.h"
#include "gw/mml/command.h"
#include "gw/mml/system_view.h"

namespace gw::mml {

struct BuiltinDeps {
  config::ConfigStore& config;
  log::LogRing& log;
  SystemView& system;
};

// Registers all of the above. `deps` (and what it refers to) must outlive
// the table: handlers keep a pointer to it. Statuses from
// CommandTable::Register (AlreadyExists, ResourceExhausted).
Status RegisterBuiltinCommands(CommandTable& table, BuiltinDeps& deps);

// Pieces of the above, for tests and slimmer builds.
Status RegisterShellCommands(CommandTable& table);                       // LST CMD, HELP, LOGOUT
Status RegisterConfigCommands(CommandTable& table, BuiltinDeps& deps);   // CFG, LOG
Status RegisterSystemCommands(CommandTable& table, SystemView& system);  // SYSINFO, PERF

}  // namespace gw::mml
