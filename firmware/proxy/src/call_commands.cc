#include "gw/proxy/call_commands.h"

#include "gw/core/fixed_string.h"
#include "gw/core/log.h"
#include "gw/mml/report.h"

namespace gw::proxy {
namespace {

using mml::Call;
using mml::Column;
using mml::ParamSpec;
using mml::ParamType;
using mml::RetCode;

CallCommandDeps& DepsOf(void* ctx) {
  return *static_cast<CallCommandDeps*>(ctx);
}

constexpr ParamSpec kRmvParams[] = {
    {.name = "CALLID",
     .type = ParamType::kString,
     .required = true,
     .min = 1,
     .max = CallRecord::kMaxCallId,
     .help = "the Call-ID of the call to end"},
};

void DspCall(void* ctx, Call& call) {
  CallCommandDeps& deps = DepsOf(ctx);
  static constexpr Column kColumns[] = {
      {"CALLER", 10}, {"CALLEE", 10}, {"STATE", 10}, {"DURATION", 9}, {"CALL-ID", 0}};
  const uint32_t now = deps.clock.NowMs();
  call.report.Ok();
  call.report.BeginTable(kColumns);
  deps.core.ForEachCall([&](const CallRecord& c) {
    // Talk time once answered, ringing time before.
    uint32_t since = c.state == CallState::kConfirmed ? c.answer_ms : c.start_ms;
    String<12> duration;
    (void)duration.Format("%lu", static_cast<unsigned long>((now - since) / 1000));
    call.report.Row({c.caller.view(), c.callee.view(), CallStateName(c.state), duration.view(),
                     c.call_id.view()});
  });
  call.report.EndTable();
}

void RmvCall(void* ctx, Call& call) {
  CallCommandDeps& deps = DepsOf(ctx);
  std::string_view id = call.args.Text("CALLID");
  if (!deps.core.HangUp(id).ok()) {
    call.report.FailF(RetCode::kNotFound, "No call with Call-ID %.*s", static_cast<int>(id.size()),
                      id.data());
    return;
  }
  GW_LOG_INFO("mml", "RMV CALL %.*s", static_cast<int>(id.size()), id.data());
  call.report.Ok();
  call.report.FieldF("REMOVED", "%u", 1u);
}

void ClrCall(void* ctx, Call& call) {
  CallCommandDeps& deps = DepsOf(ctx);
  size_t n = deps.core.HangUpAll();
  GW_LOG_INFO("mml", "CLR CALL: %u calls ended", static_cast<unsigned>(n));
  call.report.Ok();
  call.report.FieldF("REMOVED", "%u", static_cast<unsigned>(n));
}

}  // namespace

Status RegisterCallCommands(mml::CommandTable& table, CallCommandDeps& deps) {
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "CALL",
                         .help = "Display calls",
                         .handler = &DspCall,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "RMV",
                         .object = "CALL",
                         .params = kRmvParams,
                         .help = "End one call (BYE to both sides)",
                         .destructive = true,
                         .handler = &RmvCall,
                         .context = &deps}));
  GW_TRY(table.Register({.verb = "CLR",
                         .object = "CALL",
                         .help = "End every call",
                         .destructive = true,
                         .handler = &ClrCall,
                         .context = &deps}));
  return Status::Ok();
}

}  // namespace gw::proxy
