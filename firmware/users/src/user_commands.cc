#include "gw/users/user_commands.h"

#include "gw/mml/report.h"

namespace gw::users {
namespace {

using mml::Call;
using mml::Column;
using mml::ParamSpec;
using mml::ParamType;
using mml::RetCode;

UserCommandDeps& DepsOf(void* ctx) {
  return *static_cast<UserCommandDeps*>(ctx);
}

std::string_view Realm(const UserCommandDeps& deps) {
  return deps.config.GetString(config::Key::kAuthRealm);
}

const char* ParamName(Field field) {
  switch (field) {
    case Field::kUsername:
      return "USERNAME";
    case Field::kDisplayName:
      return "DISPLAYNAME";
    case Field::kPassword:
      return "PASSWORD";
    case Field::kStatus:
      return "STATUS";
    case Field::kClass:
      return "CLASS";
    default:
      return "?";
  }
}

int Len(std::string_view s) {
  return static_cast<int>(s.size() < 40 ? s.size() : 40);
}

// The reply for a refused change: the parameter and its rule, or the
// store's status.
void ReportFailure(Call& call, Status status, const Violation& why, std::string_view username) {
  if (why.field != Field::kNone) {
    const char* name = ParamName(why.field);
    // Passwords are never echoed back.
    std::string_view value = why.field == Field::kPassword ? "***" : call.args.Text(name);
    call.report.FailF(mml::RetCodeFor(status), "Invalid value for %s: \"%.*s\" (allowed: %s)", name,
                      Len(value), value.data(), why.rule.c_str());
    return;
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      call.report.FailF(RetCode::kNotFound, "User %.*s not found (DSP USER lists the users)",
                        Len(username), username.data());
      return;
    case StatusCode::kAlreadyExists:
      call.report.FailF(RetCode::kAlreadyExists, "User %.*s already exists (MOD USER changes it)",
                        Len(username), username.data());
      return;
    case StatusCode::kResourceExhausted:
      call.report.FailF(RetCode::kResourceExhausted,
                        "User table full (%u users) or users storage full",
                        static_cast<unsigned>(UserStore::kCapacity));
      return;
    case StatusCode::kFailedPrecondition:
      call.report.Fail(RetCode::kFailedPrecondition, "User storage not available");
      return;
    default:
      call.report.FailF(mml::RetCodeFor(status), "Saving the user failed (%s); nothing changed",
                        status.str());
      return;
  }
}

// Checks USERNAME's characters (the table checked its length).
bool UsernameOk(Call& call, std::string_view username) {
  Violation why;
  Status s = CheckUsername(username, &why);
  if (s.ok()) return true;
  ReportFailure(call, s, why, username);
  return false;
}

constexpr ParamSpec kDspParams[] = {
    {.name = "USERNAME",
     .type = ParamType::kString,
     .min = 1,
     .max = kMaxUsername,
     .default_value = "(all)",
     .help = "user name, e.g. 1001"},
};

void DspUser(void* ctx, Call& call) {
  const UserStore& store = DepsOf(ctx).store;
  static constexpr Column kColumns[] = {
      {"USERNAME", 16}, {"DISPLAY NAME", 24}, {"STATUS", 9}, {"CLASS", 0}};
  if (call.args.Has("USERNAME")) {
    std::string_view name = call.args.Text("USERNAME");
    if (!UsernameOk(call, name)) return;
    const Subscriber* user = store.Find(name);
    if (user == nullptr) {
      ReportFailure(call, Status::NotFound(), Violation{}, name);
      return;
    }
    call.report.Ok();
    call.report.BeginTable(kColumns);
    call.report.Row({user->Username(), user->DisplayName(), StatusName(user->status),
                     ClassName(user->user_class)});
    call.report.EndTable();
    return;
  }
  call.report.Ok();
  call.report.BeginTable(kColumns);
  for (size_t i = 0; i < store.size(); ++i) {
    const Subscriber& user = store[i];
    call.report.Row(
        {user.Username(), user.DisplayName(), StatusName(user.status), ClassName(user.user_class)});
  }
  call.report.EndTable();
}

constexpr ParamSpec kAddParams[] = {
    {.name = "USERNAME",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = kMaxUsername,
     .help = "letters, digits, '.', '_', '-'"},
    {.name = "PASSWORD",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = kMaxPassword,
     .help = "stored only as HA1 (MD5 and SHA-256)"},
    {.name = "DISPLAYNAME",
     .type = ParamType::kString,
     .min = 0,
     .max = kMaxDisplayName,
     .default_value = "\"\"",
     .help = "name shown to callees (UTF-8)"},
    {.name = "STATUS",
     .type = ParamType::kEnum,
     .values = kStatusNames,
     .default_value = "ACTIVE",
     .help = "only ACTIVE users register and call"},
    {.name = "CLASS",
     .type = ParamType::kEnum,
     .values = kClassNames,
     .default_value = "BASIC",
     .help = "sets the concurrent-call limit"},
};

constexpr ParamSpec kModParams[] = {
    {.name = "USERNAME",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = kMaxUsername,
     .help = "the user to change"},
    {.name = "PASSWORD",
     .type = ParamType::kString,
     .min = 1,
     .max = kMaxPassword,
     .default_value = "(unchanged)",
     .help = "new password (hashed with AUTH.REALM)"},
    {.name = "DISPLAYNAME",
     .type = ParamType::kString,
     .min = 0,
     .max = kMaxDisplayName,
     .default_value = "(unchanged)",
     .help = "name shown to callees (UTF-8)"},
    {.name = "STATUS",
     .type = ParamType::kEnum,
     .values = kStatusNames,
     .default_value = "(unchanged)",
     .help = "ACTIVE, INACTIVE or SUSPENDED"},
    {.name = "CLASS",
     .type = ParamType::kEnum,
     .values = kClassNames,
     .default_value = "(unchanged)",
     .help = "sets the concurrent-call limit"},
};

void ShowUser(Call& call, const Subscriber& user, const CallLimits& limits) {
  call.report.Field("USERNAME", user.Username());
  call.report.Field("DISPLAYNAME", user.DisplayName());
  call.report.Field("STATUS", StatusName(user.status));
  call.report.Field("CLASS", ClassName(user.user_class));
  call.report.FieldF("CALL LIMIT", "%lu", static_cast<unsigned long>(limits.For(user.user_class)));
}

void AddUser(void* ctx, Call& call) {
  UserCommandDeps& deps = DepsOf(ctx);
  std::string_view name = call.args.Text("USERNAME");
  if (!UsernameOk(call, name)) return;
  NewUser user{.username = name,
               .password = call.args.Text("PASSWORD"),
               .display_name = call.args.Text("DISPLAYNAME"),
               .status = static_cast<UserStatus>(call.args.Enum("STATUS", 0)),
               .user_class = static_cast<Class>(call.args.Enum("CLASS", 0))};
  Violation why;
  Status s = deps.store.Add(user, Realm(deps), &why);
  if (!s.ok()) {
    ReportFailure(call, s, why, name);
    return;
  }
  call.report.Ok();
  ShowUser(call, *deps.store.Find(name), deps.call_limits);
}

void ModUser(void* ctx, Call& call) {
  UserCommandDeps& deps = DepsOf(ctx);
  std::string_view name = call.args.Text("USERNAME");
  if (!UsernameOk(call, name)) return;
  UserChange change;
  if (call.args.Has("PASSWORD")) change.password = call.args.Text("PASSWORD");
  if (call.args.Has("DISPLAYNAME")) change.display_name = call.args.Text("DISPLAYNAME");
  if (call.args.Has("STATUS")) {
    change.status = static_cast<UserStatus>(call.args.Enum("STATUS"));
  }
  if (call.args.Has("CLASS")) change.user_class = static_cast<Class>(call.args.Enum("CLASS"));
  if (!change.password && !change.display_name && !change.status && !change.user_class) {
    call.report.Fail(RetCode::kMissingParameter,
                     "Nothing to change: give PASSWORD, DISPLAYNAME, STATUS or CLASS");
    return;
  }
  Violation why;
  Status s = deps.store.Modify(name, change, Realm(deps), &why);
  if (!s.ok()) {
    ReportFailure(call, s, why, name);
    return;
  }
  call.report.Ok();
  ShowUser(call, *deps.store.Find(name), deps.call_limits);
}

constexpr ParamSpec kRmvParams[] = {
    {.name = "USERNAME",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = kMaxUsername,
     .help = "the user to remove"},
};

void RmvUser(void* ctx, Call& call) {
  std::string_view name = call.args.Text("USERNAME");
  if (!UsernameOk(call, name)) return;
  Status s = DepsOf(ctx).store.Remove(name);
  if (!s.ok()) {
    ReportFailure(call, s, Violation{}, name);
    return;
  }
  call.report.Ok();
  call.report.Field("USERNAME", name);
}

void WriteLine(void* ctx, std::string_view line) {
  static_cast<mml::Report*>(ctx)->Line(line);
}

void ExpUser(void* ctx, Call& call) {
  call.report.Ok();
  call.report.Line("");
  Status s = DepsOf(ctx).store.ExportJson(&WriteLine, &call.report);
  if (!s.ok()) call.report.Line("(export cut short: the JSON arena is busy or full)");
}

constexpr ParamSpec kImpParams[] = {
    {.name = "DATA",
     .type = ParamType::kString,
     .required = true,
     .min = 2,
     .help = "JSON list, e.g. [{\"username\":\"2001\",\"password\":\"...\"}]"},
};

void ImpUser(void* ctx, Call& call) {
  UserCommandDeps& deps = DepsOf(ctx);
  ImportError error;
  auto result = deps.store.ImportJson(call.args.Text("DATA"), Realm(deps), &error);
  if (!result.ok()) {
    RetCode code = mml::RetCodeFor(result.status());
    bool checked = code == RetCode::kInvalidValue || code == RetCode::kOutOfRange ||
                   code == RetCode::kResourceExhausted;
    call.report.FailF(code, "Invalid value for DATA: %s%s", error.message.c_str(),
                      checked ? "; nothing imported" : "");
    return;
  }
  call.report.Ok();
  call.report.FieldF("ADDED", "%lu", static_cast<unsigned long>(result->added));
  call.report.FieldF("MODIFIED", "%lu", static_cast<unsigned long>(result->modified));
}

}  // namespace

Status RegisterUserCommands(mml::CommandTable& table, UserCommandDeps& deps) {
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "USER",
                         .params = kDspParams,
                         .help = "Display subscribers",
                         .handler = &DspUser,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "ADD",
                         .object = "USER",
                         .params = kAddParams,
                         .help = "Add a subscriber",
                         .handler = &AddUser,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "MOD",
                         .object = "USER",
                         .params = kModParams,
                         .help = "Change a subscriber",
                         .handler = &ModUser,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "RMV",
                         .object = "USER",
                         .params = kRmvParams,
                         .help = "Remove a subscriber",
                         .destructive = true,
                         .handler = &RmvUser,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "EXP",
                         .object = "USER",
                         .help = "Export subscribers as JSON (HA1s, no passwords)",
                         .handler = &ExpUser,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "IMP",
                         .object = "USER",
                         .params = kImpParams,
                         .help = "Import subscribers from a JSON list",
                         .handler = &ImpUser,
                         .context = &deps}));
  return Status::Ok();
}

}  // namespace gw::users
