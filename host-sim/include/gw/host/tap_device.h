#pragma once
// hal::NetDevice on a Linux TAP interface (IFF_TAP | IFF_NO_PI). The
// interface must already exist (tools/net-setup.sh or a test creates it);
// host-sim only attaches to it, never creates one, even as root.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/hal/net_device.h"

namespace gw::host {

class TapDevice final : public hal::NetDevice {
 public:
  static constexpr size_t kMaxName = 15;  // IFNAMSIZ - 1

  struct Counters {
    uint32_t rx_frames = 0;
    uint32_t tx_frames = 0;
    uint32_t rx_oversize = 0;  // frames larger than the caller's buffer
    uint32_t tx_dropped = 0;   // kernel queue full or write error
  };

  // name: the TAP interface. mac: the gateway's MAC; all zero means derive
  // a locally administered one (02:..) from the name.
  TapDevice(std::string_view name, const hal::MacAddress& mac);
  ~TapDevice() override;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  // The descriptor the idler polls; -1 before Start().
  int fd() const { return fd_; }
  const char* name() const { return name_; }
  const Counters& counters() const { return counters_; }
  // After a failed Start(): a one-line reason for the operator.
  const char* error() const { return error_; }

  // 02:xx:xx:xx:xx:xx from a hash of the interface name: stable across runs,
  // distinct from the kernel side of the TAP.
  static hal::MacAddress MacFromName(std::string_view name);

 private:
  Status DoStart() override;
  hal::MacAddress DoMac() const override { return mac_; }
  Result<size_t> DoReceive(std::span<std::byte> out) override;
  Status DoTransmit(std::span<const std::byte> frame) override;

  char name_[kMaxName + 1] = {};
  hal::MacAddress mac_;
  int fd_ = -1;
  Counters counters_;
  char error_[160] = {};
  // A frame is read whole here first, so one larger than the caller's
  // buffer is detected and counted instead of silently truncated.
  std::byte rx_buf_[65536];
};

}  // namespace gw::host
