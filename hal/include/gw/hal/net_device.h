#pragma once
// An Ethernet device: frames in and out, no lwIP types. firmware/net wraps
// it in an lwIP netif. TAP in host-sim, LAN9118 on the mps2 boards.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "gw/core/status.h"

namespace gw::hal {

using MacAddress = std::array<uint8_t, 6>;

class NetDevice {
 public:
  static constexpr size_t kMaxFrame = 1518;  // without FCS

  virtual ~NetDevice() = default;
  // Brings the device up. Unavailable if it cannot be opened.
  Status Start() { return DoStart(); }
  MacAddress Mac() const { return DoMac(); }
  // Copies one received frame (without FCS) into out; never blocks.
  // Returns its length, 0 when nothing is pending. A frame larger than out
  // is dropped and counted: OutOfRange.
  Result<size_t> Receive(std::span<std::byte> out) { return DoReceive(out); }
  // Sends one frame. ResourceExhausted if the TX FIFO has no room.
  Status Transmit(std::span<const std::byte> frame) { return DoTransmit(frame); }

 private:
  virtual Status DoStart() = 0;
  virtual MacAddress DoMac() const = 0;
  virtual Result<size_t> DoReceive(std::span<std::byte> out) = 0;
  virtual Status DoTransmit(std::span<const std::byte> frame) = 0;
};

}  // namespace gw::hal
