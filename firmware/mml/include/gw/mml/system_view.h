#pragma once
// What DSP SYSINFO and DSP PERF read. The composition root (firmware/app)
// implements it over the live instances; tests implement a fake.
#include <cstdint>
#include <string_view>

#include "gw/core/pool.h"

namespace gw::mml {

// One named counter of a group, e.g. {"lwip.udp", "recv", 12}.
struct CounterRow {
  std::string_view group;
  std::string_view name;
  uint32_t value;
};

// One capacity of the profile, e.g. {"users", 256}.
struct CapacityRow {
  std::string_view name;
  uint32_t value;
};

class SystemView {
 public:
  virtual ~SystemView() = default;
  std::string_view Version() { return DoVersion(); }
  std::string_view Board() { return DoBoard(); }
  std::string_view Profile() { return DoProfile(); }
  uint32_t UptimeMs() { return DoUptimeMs(); }
  bool WallClockSynced() { return DoWallClockSynced(); }
  int64_t WallClockUnix() { return DoWallClockUnix(); }
  uint32_t CpuLoadPermille() { return DoCpuLoadPermille(); }
  // Visits index 0, 1, ... until the callee returns false; the getters fill
  // `out` and return false past the last row.
  bool Capacity(uint32_t i, CapacityRow& out) { return DoCapacity(i, out); }
  bool Pool(uint32_t i, PoolStats& out) { return DoPool(i, out); }
  bool Counter(uint32_t i, CounterRow& out) { return DoCounter(i, out); }

 private:
  virtual std::string_view DoVersion() = 0;
  virtual std::string_view DoBoard() = 0;
  virtual std::string_view DoProfile() = 0;
  virtual uint32_t DoUptimeMs() = 0;
  virtual bool DoWallClockSynced() = 0;
  virtual int64_t DoWallClockUnix() = 0;
  virtual uint32_t DoCpuLoadPermille() = 0;
  virtual bool DoCapacity(uint32_t i, CapacityRow& out) = 0;
  virtual bool DoPool(uint32_t i, PoolStats& out) = 0;
  virtual bool DoCounter(uint32_t i, CounterRow& out) = 0;
};

}  // namespace gw::mml
