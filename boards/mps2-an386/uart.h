#pragma once
// CMSDK APB UART (UART0 of the AN386 image) as the operator console.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/hal/console.h"

namespace gw::board {

class CmsdkUart final : public hal::Console {
 public:
  explicit constexpr CmsdkUart(uintptr_t base) : base_(base) {}

  // Enables TX and RX. QEMU drops output until TX is enabled and BAUDDIV
  // is at least 16.
  void Init();
  // Blocking write of raw bytes; usable before main() and from Panic.
  void WriteRaw(std::string_view text);
  // True when a received byte waits in the RX buffer.
  bool RxPending() const;
  // Counts received bytes; also feeds the entropy pool.
  uint32_t RxBytes() const { return rx_bytes_; }

 private:
  size_t DoRead(std::span<std::byte> out) override;
  void DoWrite(std::span<const std::byte> bytes) override;
  bool DoInteractive() override { return true; }

  void PutByte(uint8_t byte);

  uintptr_t base_;
  uint32_t rx_bytes_ = 0;
};

// The console UART, shared by main() and Panic.
CmsdkUart& ConsoleUart();

}  // namespace gw::board
