#pragma once
// Time and randomness from the host OS.
#include <cstdint>

#include "gw/hal/clock.h"
#include "gw/hal/entropy.h"

namespace gw::host {

// CLOCK_MONOTONIC in ms, counted from construction (the "boot").
class HostMonotonicClock final : public hal::MonotonicClock {
 public:
  HostMonotonicClock();

 private:
  uint32_t DoNowMs() override;
  uint64_t start_ms_;
};

// CLOCK_REALTIME. The host clock is trusted: always synced.
class HostWallClock final : public hal::WallClock {
 private:
  int64_t DoNowUnixSeconds() override;
  bool DoSynced() override { return true; }
};

// getrandom(2). Unavailable if the kernel cannot deliver.
class HostEntropy final : public hal::Entropy {
 private:
  Status DoFill(std::span<std::byte> out) override;
};

}  // namespace gw::host
