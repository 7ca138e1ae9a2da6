#pragma once
// MML commands of the USER object:
//
//   DSP USER [USERNAME=..]                         table of users (never HA1s)
//   ADD USER USERNAME= PASSWORD= [DISPLAYNAME=] [STATUS=] [CLASS=]
//   MOD USER USERNAME= [PASSWORD=] [DISPLAYNAME=] [STATUS=] [CLASS=]
//   RMV USER USERNAME= CONFIRM=YES
//   EXP USER                                       the JSON list
//   IMP USER DATA="<json list>"                    inline JSON (one MML line,
//                                                  so at most ~240 characters;
//                                                  storage/TFTP import later)
//
// Passwords are hashed with AUTH.REALM as the ConfigStore has it now.
#include "gw/config/config_store.h"
#include "gw/core/status.h"
#include "gw/mml/command.h"
#include "gw/users/user_store.h"

namespace gw::users {

struct UserCommandDeps {
  UserStore& store;
  const config::ConfigStore& config;
  const CallLimits& call_limits;  // shown as CALL LIMIT
};

// Registers the six commands. `deps` (and what it refers to) must outlive
// the table. Statuses from CommandTable::Register (AlreadyExists,
// ResourceExhausted).
Status RegisterUserCommands(mml::CommandTable& table, UserCommandDeps& deps);

}  // namespace gw::users
