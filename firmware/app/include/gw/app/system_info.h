#pragma once
// DSP SYSINFO / DSP PERF data over the live instances.
#include "gw/mml/system_view.h"

namespace gw::app {

class Gateway;

class SystemInfo : public mml::SystemView {
 public:
  explicit SystemInfo(Gateway& gw) : gw_(gw) {}

 private:
  std::string_view DoVersion() override;
  std::string_view DoBoard() override;
  std::string_view DoProfile() override;
  uint32_t DoUptimeMs() override;
  bool DoWallClockSynced() override;
  int64_t DoWallClockUnix() override;
  uint32_t DoCpuLoadPermille() override;
  bool DoCapacity(uint32_t i, mml::CapacityRow& out) override;
  bool DoPool(uint32_t i, PoolStats& out) override;
  bool DoCounter(uint32_t i, mml::CounterRow& out) override;

  Gateway& gw_;
};

}  // namespace gw::app
