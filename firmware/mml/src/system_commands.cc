#include <cstdio>

#include "gw/core/civil_time.h"
#include "gw/mml/builtin_commands.h"

namespace gw::mml {
namespace {

// Rows a SystemView may report per list: bounds a faulty view's loop.
constexpr uint32_t kMaxRows = 256;

SystemView& ViewOf(void* ctx) {
  return *static_cast<SystemView*>(ctx);
}

// The pool table of DSP SYSINFO and DSP PERF: usage, high-water marks and
// refusals of every fixed table.
void WritePools(Report& r, SystemView& view) {
  static constexpr Column kPools[] = {
      {"POOL", 16}, {"USED", 6}, {"CAPACITY", 8}, {"HIGH-WATER", 10}, {"REFUSED", 0}};
  r.BeginTable(kPools);
  PoolStats pool{};
  for (uint32_t i = 0; i < kMaxRows && view.Pool(i, pool); ++i) {
    char used[12], capacity[12], high[12], refused[12];
    std::snprintf(used, sizeof(used), "%lu", static_cast<unsigned long>(pool.used));
    std::snprintf(capacity, sizeof(capacity), "%lu", static_cast<unsigned long>(pool.capacity));
    std::snprintf(high, sizeof(high), "%lu", static_cast<unsigned long>(pool.high_water));
    std::snprintf(refused, sizeof(refused), "%lu", static_cast<unsigned long>(pool.refused));
    r.Row({pool.name != nullptr ? pool.name : "?", used, capacity, high, refused});
  }
  r.EndTable();
}

void DspSysinfo(void* ctx, Call& call) {
  SystemView& view = ViewOf(ctx);
  Report& r = call.report;
  r.Ok();
  r.Field("VERSION", view.Version());
  r.Field("BOARD", view.Board());
  r.Field("PROFILE", view.Profile());
  uint32_t s = view.UptimeMs() / 1000;
  r.FieldF("UPTIME", "%lud %02luh %02lum %02lus", static_cast<unsigned long>(s / 86400),
           static_cast<unsigned long>(s / 3600 % 24), static_cast<unsigned long>(s / 60 % 60),
           static_cast<unsigned long>(s % 60));
  if (view.WallClockSynced()) {
    const CivilTime c = CivilFromUnix(view.WallClockUnix());
    r.FieldF("WALL CLOCK", "%04lld-%02u-%02u %02u:%02u:%02u UTC", static_cast<long long>(c.year),
             c.month, c.day, c.hour, c.minute, c.second);
  } else {
    r.Field("WALL CLOCK", "unsynchronised");
  }
  static constexpr Column kCaps[] = {{"CAPACITY", 20}, {"VALUE", 0}};
  r.BeginTable(kCaps);
  CapacityRow cap{};
  for (uint32_t i = 0; i < kMaxRows && view.Capacity(i, cap); ++i) {
    char value[12];
    std::snprintf(value, sizeof(value), "%lu", static_cast<unsigned long>(cap.value));
    r.Row({cap.name, value});
  }
  r.EndTable();
  WritePools(r, view);
}

void DspPerf(void* ctx, Call& call) {
  SystemView& view = ViewOf(ctx);
  Report& r = call.report;
  r.Ok();
  uint32_t load = view.CpuLoadPermille();
  r.FieldF("CPU LOAD", "%lu.%lu %%", static_cast<unsigned long>(load / 10),
           static_cast<unsigned long>(load % 10));
  WritePools(r, view);
  static constexpr Column kCounters[] = {{"GROUP", 12}, {"NAME", 16}, {"VALUE", 0}};
  r.BeginTable(kCounters);
  CounterRow counter{};
  for (uint32_t i = 0; i < kMaxRows * 4 && view.Counter(i, counter); ++i) {
    char value[12];
    std::snprintf(value, sizeof(value), "%lu", static_cast<unsigned long>(counter.value));
    r.Row({counter.group, counter.name, value});
  }
  r.EndTable();
}

}  // namespace

Status RegisterSystemCommands(CommandTable& table, SystemView& system) {
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "SYSINFO",
                         .help = "Display version, uptime, clock, capacities, pools",
                         .handler = &DspSysinfo,
                         .context = &system}));
  GW_TRY(table.Register({.verb = "DSP",
                         .object = "PERF",
                         .help = "Display CPU load, pool usage and counters",
                         .handler = &DspPerf,
                         .context = &system}));
  return Status::Ok();
}

}  // namespace gw::mml
