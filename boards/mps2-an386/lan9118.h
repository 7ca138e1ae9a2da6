#pragma once
// SMSC LAN9118 Ethernet controller (memory-mapped, 32-bit bus) as the
// board's NetDevice. Polled by the event loop; the RX interrupt only wakes
// the core from WFI.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gw/hal/net_device.h"

namespace gw::board {

struct Lan9118Counters {
  uint32_t rx_frames = 0;
  uint32_t tx_frames = 0;
  uint32_t rx_errors = 0;   // error bit in the RX status word
  uint32_t rx_too_big = 0;  // frame larger than the caller's buffer
  uint32_t tx_no_room = 0;  // TX FIFO full: frame refused
  uint32_t tx_too_big = 0;  // frame longer than kMaxFrame
  uint32_t tx_errors = 0;   // error bit in the TX status word
  uint32_t irqs = 0;
};

class Lan9118 final : public hal::NetDevice {
 public:
  Lan9118(uintptr_t base, hal::MacAddress mac) : base_(base), mac_(mac) {}

  // True when the RX status FIFO holds a frame (or the IRQ has fired since
  // the last poll).
  bool RxPending() const;
  const Lan9118Counters& Counters() const { return counters_; }
  // PHY basic status says link up.
  bool LinkUp();

  // Called from the ETH interrupt: acknowledges it and flags pending RX.
  void OnInterrupt();

 private:
  Status DoStart() override;
  hal::MacAddress DoMac() const override { return mac_; }
  Result<size_t> DoReceive(std::span<std::byte> out) override;
  Status DoTransmit(std::span<const std::byte> frame) override;

  uint32_t Reg(uintptr_t offset) const;
  void SetReg(uintptr_t offset, uint32_t value);
  bool MacWait();
  uint32_t MacRead(uint32_t index);
  void MacWrite(uint32_t index, uint32_t value);
  uint16_t PhyRead(uint32_t index);
  void DiscardWords(uint32_t words);

  uintptr_t base_;
  hal::MacAddress mac_;
  Lan9118Counters counters_{};
  volatile bool irq_flag_ = false;
  bool started_ = false;
  uint16_t tx_tag_ = 0;
};

// The board's one Ethernet device (for the interrupt handler).
void RegisterEthIrqTarget(Lan9118* device);

}  // namespace gw::board
