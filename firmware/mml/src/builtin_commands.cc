#include "gw/mml/builtin_commands.h"

#include <cstdio>

#include "gw/config/text.h"
#include "gw/core/fixed_string.h"
#include "gw/core/log.h"
#include "gw/mml/session.h"

namespace gw::mml {
namespace {

using config::ConfigStore;
using config::KeySpec;

// --- LST CMD, HELP, LOGOUT -------------------------------------------------

void CommandName(const CommandSpec& spec, StringBase& out) {
  out.AppendTruncated(spec.verb);
  if (!spec.object.empty()) {
    out.AppendTruncated(" ");
    out.AppendTruncated(spec.object);
  }
}

void ListCommands(void*, Call& call) {
  call.report.Ok();
  static constexpr Column kColumns[] = {{"COMMAND", 16}, {"DESCRIPTION", 0}};
  call.report.BeginTable(kColumns);
  for (size_t i = 0; i < call.table.size(); ++i) {
    const CommandSpec& c = call.table[i];
    String<40> name;
    CommandName(c, name);
    call.report.Row({name.view(), c.help});
  }
  call.report.EndTable();
}

void RangeText(const ParamSpec& p, StringBase& out) {
  switch (p.type) {
    case ParamType::kInt:
      out.Format("%lld..%lld", static_cast<long long>(p.min), static_cast<long long>(p.max))
          .IgnoreError();
      break;
    case ParamType::kString:
      out.Format("%lld..%lld chars", static_cast<long long>(p.min),
                 static_cast<long long>(p.max > 0 ? p.max : int64_t{kMaxLine}))
          .IgnoreError();
      break;
    case ParamType::kEnum:
      for (size_t i = 0; i < p.values.size(); ++i) {
        if (i > 0) out.AppendTruncated(", ");
        out.AppendTruncated(p.values[i]);
      }
      break;
    case ParamType::kBool:
      out.AppendTruncated("YES, NO");
      break;
    case ParamType::kIp4:
      out.AppendTruncated("a.b.c.d");
      break;
    case ParamType::kDate:
      out.AppendTruncated("YYYY-MM-DD");
      break;
  }
}

void ShowCommandHelp(const CommandSpec& spec, Report& report) {
  String<40> name;
  CommandName(spec, name);
  report.Ok();
  report.Field("COMMAND", name.view());
  report.Field("DESCRIPTION", spec.help);
  report.Field("DESTRUCTIVE", spec.destructive ? "YES (needs CONFIRM=YES)" : "NO");
  static constexpr Column kColumns[] = {{"PARAMETER", 10},    {"TYPE", 7},    {"REQUIRED", 8},
                                        {"RANGE/VALUES", 24}, {"DEFAULT", 8}, {"DESCRIPTION", 0}};
  report.BeginTable(kColumns);
  for (const ParamSpec& p : spec.params) {
    String<120> range;
    RangeText(p, range);
    report.Row({p.name, ParamTypeName(p.type), p.required ? "YES" : "NO", range.view(),
                p.default_value.empty() ? "-" : p.default_value, p.help});
  }
  if (spec.destructive) {
    report.Row({"CONFIRM", "YES/NO", "YES", "YES, NO", "-", "confirms a destructive command"});
  }
  report.EndTable();
}

constexpr ParamSpec kHelpParams[] = {
    {.name = "VERB",
     .type = ParamType::kString,
     .min = 1,
     .max = 16,
     .help = "command verb, e.g. DSP"},
    {.name = "OBJECT",
     .type = ParamType::kString,
     .min = 1,
     .max = 16,
     .help = "command object, e.g. CFG"},
};

void Help(void*, Call& call) {
  std::string_view verb = call.args.Text("VERB");
  std::string_view object = call.args.Text("OBJECT");
  if (verb.empty()) {
    call.report.Ok();
    call.report.Line(
        "Commands are VERB OBJECT NAME=VALUE ... (or VERB OBJECT:NAME=\"VALUE\",...;).");
    call.report.Line("LST CMD lists the commands; HELP VERB OBJECT shows one command.");
    return;
  }
  if (const CommandSpec* spec = call.table.Find(verb, object)) {
    ShowCommandHelp(*spec, call.report);
    return;
  }
  if (object.empty()) {  // every command with that verb
    size_t found = 0;
    for (size_t i = 0; i < call.table.size(); ++i) {
      if (config::EqualsIgnoreCase(call.table[i].verb, verb)) ++found;
    }
    if (found > 0) {
      call.report.Ok();
      static constexpr Column kColumns[] = {{"COMMAND", 16}, {"DESCRIPTION", 0}};
      call.report.BeginTable(kColumns);
      for (size_t i = 0; i < call.table.size(); ++i) {
        const CommandSpec& c = call.table[i];
        if (!config::EqualsIgnoreCase(c.verb, verb)) continue;
        String<40> name;
        CommandName(c, name);
        call.report.Row({name.view(), c.help});
      }
      call.report.EndTable();
      return;
    }
  }
  call.report.FailF(RetCode::kUnknownCommand,
                    "Unknown command %.*s%s%.*s (LST CMD lists the commands)",
                    static_cast<int>(verb.size()), verb.data(), object.empty() ? "" : " ",
                    static_cast<int>(object.size()), object.data());
}

void Logout(void*, Call& call) {
  if (call.session == nullptr) {
    call.report.Fail(RetCode::kFailedPrecondition, "No session to log out of");
    return;
  }
  call.session->RequestLogout();
  call.report.Ok("Logged out");
}

// --- CFG and LOG -----------------------------------------------------------

BuiltinDeps& DepsOf(void* ctx) {
  return *static_cast<BuiltinDeps*>(ctx);
}

void SyncLogLevel(BuiltinDeps& deps) {
  log::Level level = log::Level::kInfo;
  if (log::ParseLevel(deps.config.GetString(config::Key::kLogLevel), level)) {
    deps.log.set_level(level);
  }
}

void KeyRange(const KeySpec& spec, StringBase& out) {
  switch (spec.type) {
    case config::Type::kInt:
      out.Format("%ld..%ld", static_cast<long>(spec.min), static_cast<long>(spec.max))
          .IgnoreError();
      break;
    case config::Type::kString:
      out.Format("%ld..%ld chars", static_cast<long>(spec.min), static_cast<long>(spec.max))
          .IgnoreError();
      break;
    case config::Type::kEnum:
      for (size_t i = 0; i < spec.values.size(); ++i) {
        if (i > 0) out.AppendTruncated(", ");
        out.AppendTruncated(spec.values[i]);
      }
      break;
    case config::Type::kBool:
      out.AppendTruncated("TRUE, FALSE");
      break;
    case config::Type::kIp4:
      out.AppendTruncated("a.b.c.d or empty");
      break;
    case config::Type::kNetList:
      out.AppendTruncated("a.b.c.d[/len],... or empty");
      break;
  }
}

std::string_view Shown(std::string_view text) {
  return text.empty() ? "\"\"" : text;
}

constexpr ParamSpec kDspCfgParams[] = {
    {.name = "KEY",
     .type = ParamType::kString,
     .min = 1,
     .max = 32,
     .default_value = "(all)",
     .help = "configuration key, e.g. SIP.PORT"},
};

void DspCfg(void* ctx, Call& call) {
  ConfigStore& cfg = DepsOf(ctx).config;
  if (call.args.Has("KEY")) {
    std::string_view name = call.args.Text("KEY");
    const KeySpec* spec = config::FindKey(name);
    if (spec == nullptr) {
      call.report.FailF(RetCode::kNotFound, "Unknown key %.*s (DSP CFG lists the keys)",
                        static_cast<int>(name.size()), name.data());
      return;
    }
    String<120> range;
    KeyRange(*spec, range);
    call.report.Ok();
    call.report.Field("KEY", spec->name);
    call.report.Field("VALUE", Shown(cfg.DisplayText(spec->key)));
    call.report.Field("DEFAULT", spec->secret ? "********" : Shown(spec->default_text));
    call.report.Field("TYPE", config::TypeName(spec->type));
    call.report.Field("RANGE", range.view());
    call.report.Field("RESTART", spec->restart ? "YES" : "NO");
    call.report.Field("SOURCE", cfg.IsOverridden(spec->key) ? "OVERRIDE"
                                : cfg.IsDefault(spec->key)  ? "DEFAULT"
                                                            : "STORED");
    call.report.Field("DESCRIPTION", spec->help);
    return;
  }
  call.report.Ok();
  static constexpr Column kColumns[] = {
      {"KEY", 18}, {"VALUE", 16}, {"DEFAULT", 12}, {"RESTART", 0}};
  call.report.BeginTable(kColumns);
  for (const KeySpec& spec : config::Schema()) {
    call.report.Row({spec.name, Shown(cfg.DisplayText(spec.key)),
                     spec.secret ? "********" : Shown(spec.default_text),
                     spec.restart ? "YES" : "NO"});
  }
  call.report.EndTable();
}

constexpr ParamSpec kSetCfgParams[] = {
    {.name = "KEY",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = 32,
     .help = "configuration key, e.g. SIP.PORT"},
    {.name = "VALUE",
     .type = ParamType::kString,
     .required = true,
     .min = 0,
     .max = config::kMaxValueChars,
     .help = "new value (\"\" to clear an address)"},
};

void SetCfg(void* ctx, Call& call) {
  BuiltinDeps& deps = DepsOf(ctx);
  std::string_view key = call.args.Text("KEY");
  config::Violation why;
  auto result = deps.config.Set(key, call.args.Text("VALUE"), &why);
  if (!result.ok()) {
    if (why.rule == config::Rule::kUnknownKey) {
      call.report.FailF(RetCode::kNotFound, "Unknown key %.*s (DSP CFG lists the keys)",
                        static_cast<int>(key.size()), key.data());
    } else if (why.rule != config::Rule::kNone) {
      RetCode code =
          result.status() == Status::OutOfRange() ? RetCode::kOutOfRange : RetCode::kInvalidValue;
      call.report.FailF(code, "Invalid value for VALUE: %s", why.detail.c_str());
    } else {
      call.report.FailF(RetCode::kStorageError,
                        "Saving the configuration failed (%s); nothing changed",
                        result.status().str());
    }
    return;
  }
  const KeySpec* spec = config::FindKey(key);
  if (spec->key == config::Key::kLogLevel) SyncLogLevel(deps);
  // The audit trail of operator changes (secrets masked).
  std::string_view shown = deps.config.DisplayText(spec->key);
  GW_LOG_INFO("mml", "SET CFG %.*s = %.*s", static_cast<int>(spec->name.size()), spec->name.data(),
              static_cast<int>(shown.size()), shown.data());
  call.report.Ok(result->restart_required ? "Operation succeeded; restart required to take effect"
                                          : "Operation succeeded");
  call.report.Field("KEY", spec->name);
  call.report.Field("VALUE", Shown(deps.config.DisplayText(spec->key)));
  call.report.Field("RESTART", result->restart_required ? "YES" : "NO");
}

void ExpCfg(void* ctx, Call& call) {
  auto doc = DepsOf(ctx).config.ExportJson();
  if (!doc.ok()) {
    call.report.FailF(RetCode::kResourceExhausted, "Cannot render the document (%s)",
                      doc.status().str());
    return;
  }
  call.report.Ok();
  call.report.Line("");
  std::string_view text = *doc;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    call.report.Line(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void RstCfg(void* ctx, Call& call) {
  BuiltinDeps& deps = DepsOf(ctx);
  deps.config.ResetToDefaults();
  Status saved = deps.config.Save();
  SyncLogLevel(deps);
  if (!saved.ok()) {
    call.report.FailF(RetCode::kStorageError, "Defaults applied but saving failed (%s)",
                      saved.str());
    return;
  }
  call.report.Ok("Factory defaults restored; restart to apply every key");
}

constexpr std::string_view kLevels[] = {"ERROR", "WARN", "INFO", "DEBUG"};

constexpr ParamSpec kDspLogParams[] = {
    {.name = "LINES",
     .type = ParamType::kInt,
     .min = 1,
     .max = GW_CAP_LOG_LINES,
     .default_value = "20",
     .help = "how many of the newest lines"},
    {.name = "LEVEL",
     .type = ParamType::kEnum,
     .values = kLevels,
     .default_value = "DEBUG",
     .help = "least severe level shown"},
};

void DspLog(void* ctx, Call& call) {
  log::LogRing& ring = DepsOf(ctx).log;
  auto lines = static_cast<size_t>(call.args.Int("LINES", 20));
  auto max_level = static_cast<log::Level>(call.args.Enum("LEVEL", 3));
  // Find the oldest line to show: walk back until `lines` matches.
  size_t first = ring.size();
  size_t matched = 0;
  while (first > 0 && matched < lines) {
    --first;
    if (ring[first].level <= max_level) ++matched;
  }
  call.report.Ok();
  static constexpr Column kColumns[] = {{"TIME", 11}, {"LEVEL", 5}, {"TAG", 7}, {"TEXT", 0}};
  call.report.BeginTable(kColumns);
  for (size_t i = first; i < ring.size(); ++i) {
    const log::Line& line = ring[i];
    if (line.level > max_level) continue;
    char time[16];
    std::snprintf(time, sizeof(time), "%lu.%03lu", static_cast<unsigned long>(line.ms / 1000),
                  static_cast<unsigned long>(line.ms % 1000));
    call.report.Row({time, log::LevelName(line.level), line.tag, line.text});
  }
  call.report.EndTable();
}

constexpr ParamSpec kSetLogParams[] = {
    {.name = "LEVEL",
     .type = ParamType::kEnum,
     .required = true,
     .values = kLevels,
     .help = "least severe level kept"},
};

void SetLog(void* ctx, Call& call) {
  BuiltinDeps& deps = DepsOf(ctx);
  std::string_view level = call.args.Text("LEVEL");
  auto result = deps.config.Set("LOG.LEVEL", level);
  SyncLogLevel(deps);
  GW_LOG_INFO("mml", "SET LOG LEVEL = %.*s", static_cast<int>(level.size()), level.data());
  if (!result.ok()) {
    call.report.FailF(RetCode::kStorageError, "Level not changed: saving failed (%s)",
                      result.status().str());
    return;
  }
  call.report.Ok();
  call.report.Field("LEVEL", level);
}

}  // namespace

Status RegisterShellCommands(CommandTable& table) {
  GW_TRY(table.Register(
      {.verb = "LST", .object = "CMD", .help = "List all commands", .handler = &ListCommands}));
  GW_TRY(table.Register({.verb = "HELP",
                         .object = "",
                         .params = kHelpParams,
                         .help = "Show a command's parameters",
                         .handler = &Help}));
  GW_TRY(table.Register(
      {.verb = "LOGOUT", .object = "", .help = "End the session", .handler = &Logout}));
  return Status::Ok();
}

Status RegisterConfigCommands(CommandTable& table, BuiltinDeps& deps) {
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "CFG",
                         .params = kDspCfgParams,
                         .help = "Display configuration keys",
                         .handler = &DspCfg,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "SET",
                         .object = "CFG",
                         .params = kSetCfgParams,
                         .help = "Set and persist a configuration key",
                         .handler = &SetCfg,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "EXP",
                         .object = "CFG",
                         .help = "Export the stored configuration as JSON",
                         .handler = &ExpCfg,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "RST",
                         .object = "CFG",
                         .help = "Restore factory defaults",
                         .destructive = true,
                         .handler = &RstCfg,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "LOG",
                         .params = kDspLogParams,
                         .help = "Display recent log lines",
                         .handler = &DspLog,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "SET",
                         .object = "LOG",
                         .params = kSetLogParams,
                         .help = "Set the log level",
                         .handler = &SetLog,
                         .context = &deps}));
  return Status::Ok();
}

Status RegisterBuiltinCommands(CommandTable& table, BuiltinDeps& deps) {
  GW_TRY(RegisterShellCommands(table));
  GW_TRY(RegisterConfigCommands(table, deps));
  return RegisterSystemCommands(table, deps.system);
}

}  // namespace gw::mml
