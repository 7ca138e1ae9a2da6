#pragma once
// The lwIP boundary: one netif over a hal::NetDevice, pumped by the event
// loop (frames in, lwIP timeouts). Nothing outside firmware/net includes lwIP.
#include <array>
#include <cstdint>

#include "gw/core/event_loop.h"
#include "gw/core/status.h"
#include "gw/hal/clock.h"
#include "gw/hal/net_device.h"
#include "lwip/netif.h"

namespace gw::net {

using Ip4 = std::array<uint8_t, 4>;

struct Ip4Config {
  Ip4 address{};
  Ip4 netmask{};
  Ip4 gateway{};
};

struct NetStats {
  uint32_t rx_frames = 0;
  uint32_t rx_no_pbuf = 0;  // frames drained and dropped: pbuf pool empty
  uint32_t rx_errors = 0;   // device receive errors (oversized, FIFO)
  uint32_t tx_frames = 0;
  uint32_t tx_errors = 0;   // device refused the frame
  uint32_t tx_too_big = 0;  // frame larger than the device's maximum
};

class NetStack : public Poller {
 public:
  // Frames handled per poll, so one busy source cannot starve the others.
  static constexpr int kMaxFramesPerPoll = 16;

  NetStack(hal::NetDevice& device, hal::MonotonicClock& clock);
  NetStack(const NetStack&) = delete;
  NetStack& operator=(const NetStack&) = delete;
  ~NetStack() override;

  // Initializes lwIP and brings the netif up. Unavailable if the device does
  // not start; FailedPrecondition if called twice.
  Status Start(const Ip4Config& config);
  const NetStats& stats() const { return stats_; }
  Ip4 address() const;

 private:
  void DoPoll() override;
  static err_t NetifInit(struct netif* netif);
  static err_t LinkOutput(struct netif* netif, struct pbuf* p);

  hal::NetDevice& device_;
  struct netif netif_ {};
  NetStats stats_;
  bool started_ = false;
};

// lwIP's sys_now() reads this clock (lwIP's contract is a free function).
void SetLwipClock(hal::MonotonicClock* clock);

}  // namespace gw::net
