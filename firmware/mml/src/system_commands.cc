#include <cstdio>

#include "gw/mml/builtin_commands.h"

namespace gw::mml {
namespace {

// Rows a SystemView may report per list: bounds a faulty view's loop.
constexpr uint32_t kMaxRows = 256;

SystemView& ViewOf(void* ctx) {
  return *static_cast<SystemView*>(ctx);
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void CivilFromDays(int64_t days, int64_t& y, unsigned& m, unsigned& d) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
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
    int64_t t = view.WallClockUnix();
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    CivilFromDays(days, y, m, d);
    r.FieldF("WALL CLOCK", "%04lld-%02u-%02u %02lld:%02lld:%02lld UTC", static_cast<long long>(y),
             m, d, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
             static_cast<long long>(secs % 60));
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
