#include "gw/registrar/reg_commands.h"

#include "gw/core/fixed_string.h"
#include "gw/core/log.h"
#include "gw/mml/report.h"

namespace gw::registrar {
namespace {

using mml::Call;
using mml::Column;
using mml::ParamSpec;
using mml::ParamType;
using mml::RetCode;

RegCommandDeps& DepsOf(void* ctx) {
  return *static_cast<RegCommandDeps*>(ctx);
}

constexpr ParamSpec kDspParams[] = {
    {.name = "USERNAME",
     .type = ParamType::kString,
     .min = 1,
     .max = Binding::kMaxAor,
     .help = "one AOR (all when absent)"},
};
constexpr ParamSpec kRmvParams[] = {
    {.name = "USERNAME",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = Binding::kMaxAor,
     .help = "the AOR whose bindings go"},
};

void DspReg(void* ctx, Call& call) {
  RegCommandDeps& deps = DepsOf(ctx);
  std::string_view aor = call.args.Has("USERNAME") ? call.args.Text("USERNAME") : "";
  if (!aor.empty() && deps.table.CountFor(aor) == 0) {
    call.report.FailF(RetCode::kNotFound, "No bindings for %.*s", static_cast<int>(aor.size()),
                      aor.data());
    return;
  }
  static constexpr Column kColumns[] = {{"USERNAME", 10}, {"CONTACT", 42}, {"SOURCE", 21},
                                        {"NAT", 4},       {"EXPIRES", 8},  {"USER AGENT", 0}};
  const uint32_t now = deps.clock.NowMs();
  call.report.Ok();
  call.report.BeginTable(kColumns);
  deps.table.ForEach(aor, [&](Binding& b) {
    String<24> source;
    (void)net::AppendIp4(source, b.source.addr);
    (void)source.Format(":%u", static_cast<unsigned>(b.source.port));
    int32_t left_ms = static_cast<int32_t>(b.expires_at_ms - now);
    String<12> left;
    (void)left.Format("%u", left_ms <= 0 ? 0u : static_cast<unsigned>((left_ms + 999) / 1000));
    call.report.Row({b.aor.view(), b.contact.view(), source.view(), b.nat ? "YES" : "NO",
                     left.view(), b.user_agent.view()});
  });
  call.report.EndTable();
}

void RmvReg(void* ctx, Call& call) {
  RegCommandDeps& deps = DepsOf(ctx);
  std::string_view aor = call.args.Text("USERNAME");
  size_t n = deps.table.RemoveAll(aor);
  if (n == 0) {
    call.report.FailF(RetCode::kNotFound, "No bindings for %.*s", static_cast<int>(aor.size()),
                      aor.data());
    return;
  }
  GW_LOG_INFO("mml", "RMV REG %.*s: %u bindings removed", static_cast<int>(aor.size()), aor.data(),
              static_cast<unsigned>(n));
  call.report.Ok();
  call.report.FieldF("REMOVED", "%u", static_cast<unsigned>(n));
}

void ClrReg(void* ctx, Call& call) {
  RegCommandDeps& deps = DepsOf(ctx);
  size_t n = deps.table.size();
  deps.table.Clear();
  GW_LOG_INFO("mml", "CLR REG: %u bindings removed", static_cast<unsigned>(n));
  call.report.Ok();
  call.report.FieldF("REMOVED", "%u", static_cast<unsigned>(n));
}

}  // namespace

Status RegisterRegCommands(mml::CommandTable& table, RegCommandDeps& deps) {
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "REG",
                         .params = kDspParams,
                         .help = "Display registrations (bindings)",
                         .handler = &DspReg,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "RMV",
                         .object = "REG",
                         .params = kRmvParams,
                         .help = "Remove the bindings of one user",
                         .destructive = true,
                         .handler = &RmvReg,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "CLR",
                         .object = "REG",
                         .help = "Remove every binding",
                         .destructive = true,
                         .handler = &ClrReg,
                         .context = &deps}));
  return Status::Ok();
}

}  // namespace gw::registrar
