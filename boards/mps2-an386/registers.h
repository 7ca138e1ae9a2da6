#pragma once
// Register access for the mps2-an386 board: the Cortex-M4 system control
// space and the peripheral base addresses of the AN386 FPGA image. Every
// access goes through Read32/Write32 so that volatile is in one place.
#include <cstdint>

namespace gw::board {

inline uint32_t Read32(uintptr_t address) {
  return *reinterpret_cast<volatile uint32_t*>(address);
}
inline void Write32(uintptr_t address, uint32_t value) {
  *reinterpret_cast<volatile uint32_t*>(address) = value;
}

// Clocks.
inline constexpr uint32_t kCoreClockHz = 25'000'000;
inline constexpr uint32_t kTickHz = 1000;

// Peripheral base addresses (AN386 memory map).
inline constexpr uintptr_t kUart0Base = 0x4000'4000;
inline constexpr uintptr_t kLan9118Base = 0x4020'0000;

// External interrupt numbers (NVIC).
inline constexpr uint32_t kEthIrq = 13;

// Cortex-M system control space.
namespace scs {
inline constexpr uintptr_t kSysTickCtrl = 0xE000'E010;
inline constexpr uintptr_t kSysTickLoad = 0xE000'E014;
inline constexpr uintptr_t kSysTickVal = 0xE000'E018;
inline constexpr uint32_t kSysTickEnable = 1u << 0;
inline constexpr uint32_t kSysTickTickInt = 1u << 1;
inline constexpr uint32_t kSysTickClkSourceCpu = 1u << 2;

inline constexpr uintptr_t kNvicIser0 = 0xE000'E100;
inline constexpr uintptr_t kNvicIcer0 = 0xE000'E180;
inline constexpr uintptr_t kNvicIcpr0 = 0xE000'E280;

inline constexpr uintptr_t kVtor = 0xE000'ED08;
inline constexpr uintptr_t kAircr = 0xE000'ED0C;
inline constexpr uint32_t kAircrVectKey = 0x05FAu << 16;
inline constexpr uint32_t kAircrSysResetReq = 1u << 2;
inline constexpr uint32_t kAircrPriGroupMask = 7u << 8;

inline constexpr uintptr_t kCcr = 0xE000'ED14;
inline constexpr uint32_t kCcrDiv0Trp = 1u << 4;

inline constexpr uintptr_t kShcsr = 0xE000'ED24;
inline constexpr uintptr_t kCfsr = 0xE000'ED28;
inline constexpr uintptr_t kHfsr = 0xE000'ED2C;
inline constexpr uintptr_t kCpacr = 0xE000'ED88;
// CP10 and CP11 (the FPU) full access.
inline constexpr uint32_t kCpacrFpuFull = (3u << 20) | (3u << 22);

// Data watchpoint and trace: the cycle counter (QEMU reads it as zero; it is
// used for entropy only as one more input).
inline constexpr uintptr_t kDemcr = 0xE000'EDFC;
inline constexpr uint32_t kDemcrTrcEna = 1u << 24;
inline constexpr uintptr_t kDwtCtrl = 0xE000'1000;
inline constexpr uintptr_t kDwtCyccnt = 0xE000'1004;
inline constexpr uint32_t kDwtCycCntEna = 1u << 0;
}  // namespace scs

inline void NvicEnable(uint32_t irq) {
  Write32(scs::kNvicIser0 + 4 * (irq / 32), 1u << (irq % 32));
}
inline void NvicDisable(uint32_t irq) {
  Write32(scs::kNvicIcer0 + 4 * (irq / 32), 1u << (irq % 32));
}
inline void NvicClearPending(uint32_t irq) {
  Write32(scs::kNvicIcpr0 + 4 * (irq / 32), 1u << (irq % 32));
}

inline void DisableIrq() {
  __asm volatile("cpsid i" ::: "memory");
}
inline void EnableIrq() {
  __asm volatile("cpsie i" ::: "memory");
}
inline void WaitForInterrupt() {
  __asm volatile("wfi" ::: "memory");
}
inline void DataSyncBarrier() {
  __asm volatile("dsb 0xF" ::: "memory");
}
inline void InstructionSyncBarrier() {
  __asm volatile("isb 0xF" ::: "memory");
}

}  // namespace gw::board
