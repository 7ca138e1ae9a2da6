#include "uart.h"

#include "entropy.h"
#include "registers.h"

namespace gw::board {
namespace {

// CMSDK APB UART register offsets and bits.
constexpr uintptr_t kData = 0x00;
constexpr uintptr_t kState = 0x04;
constexpr uintptr_t kCtrl = 0x08;
constexpr uintptr_t kBaudDiv = 0x10;
constexpr uint32_t kStateTxFull = 1u << 0;
constexpr uint32_t kStateRxFull = 1u << 1;
constexpr uint32_t kCtrlTxEnable = 1u << 0;
constexpr uint32_t kCtrlRxEnable = 1u << 1;
constexpr uint32_t kBaudRate = 115'200;
// 25 MHz / 115200 = 217; QEMU ignores the rate but drops output below 16.
constexpr uint32_t kBaudDivisor = kCoreClockHz / kBaudRate;
static_assert(kBaudDivisor >= 16);

}  // namespace

void CmsdkUart::Init() {
  Write32(base_ + kBaudDiv, kBaudDivisor);
  Write32(base_ + kCtrl, kCtrlTxEnable | kCtrlRxEnable);
}

void CmsdkUart::PutByte(uint8_t byte) {
  while ((Read32(base_ + kState) & kStateTxFull) != 0) {
  }
  Write32(base_ + kData, byte);
}

void CmsdkUart::WriteRaw(std::string_view text) {
  for (char c : text) PutByte(static_cast<uint8_t>(c));
}

bool CmsdkUart::RxPending() const {
  return (Read32(base_ + kState) & kStateRxFull) != 0;
}

size_t CmsdkUart::DoRead(std::span<std::byte> out) {
  size_t n = 0;
  // QEMU hands over the next byte as soon as DATA is read, so one call
  // usually drains a whole pasted line.
  while (n < out.size() && (Read32(base_ + kState) & kStateRxFull) != 0) {
    out[n++] = static_cast<std::byte>(Read32(base_ + kData) & 0xFFu);
    ++rx_bytes_;
    EntropyPool::AddEvent(static_cast<uint32_t>(out[n - 1]));
  }
  return n;
}

void CmsdkUart::DoWrite(std::span<const std::byte> bytes) {
  for (std::byte b : bytes) PutByte(static_cast<uint8_t>(b));
}

CmsdkUart& ConsoleUart() {
  static constinit CmsdkUart uart(kUart0Base);
  return uart;
}

}  // namespace gw::board
