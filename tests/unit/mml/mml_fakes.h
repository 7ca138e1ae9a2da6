#pragma once
#include <string>

#include "gw/mml/output.h"
#include "gw/mml/system_view.h"

namespace gw::mml {

class StringOutput : public Output {
 public:
  std::string text;
  std::string Take() {
    std::string t = std::move(text);
    text.clear();
    return t;
  }

 private:
  void DoWrite(std::string_view s) override { text.append(s); }
};

class FakeSystemView : public SystemView {
 public:
  bool synced = true;
  int64_t unix_time = 1714564800;  // 2024-05-01 12:00:00 UTC
  uint32_t uptime_ms = 93784000;   // 1d 02h 03m 04s

 private:
  std::string_view DoVersion() override { return "0.1.0"; }
  std::string_view DoBoard() override { return "host-sim"; }
  std::string_view DoProfile() override { return "small"; }
  uint32_t DoUptimeMs() override { return uptime_ms; }
  bool DoWallClockSynced() override { return synced; }
  int64_t DoWallClockUnix() override { return unix_time; }
  uint32_t DoCpuLoadPermille() override { return 123; }
  bool DoCapacity(uint32_t i, CapacityRow& out) override {
    if (i >= 2) return false;
    out = i == 0 ? CapacityRow{"users", 256} : CapacityRow{"calls", 64};
    return true;
  }
  bool DoPool(uint32_t i, PoolStats& out) override {
    if (i >= 1) return false;
    out = PoolStats{"transactions", 128, 3, 17, 2};
    return true;
  }
  bool DoCounter(uint32_t i, CounterRow& out) override {
    if (i >= 2) return false;
    out = i == 0 ? CounterRow{"sip.rx", "INVITE", 12} : CounterRow{"lwip.udp", "recv", 99};
    return true;
  }
};

}  // namespace gw::mml
