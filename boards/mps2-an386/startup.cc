// Reset and exception entry for the Cortex-M4 (mps2-an386): the vector
// table, the C runtime start (data copy, bss clear, FPU on, constructors)
// and the fault handlers.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "gw/hal/cpu.h"
#include "registers.h"

extern "C" {
// From mps2_an386.ld.
extern uint32_t __stack_top;
extern uint32_t __data_load;
extern uint32_t __data_start;
extern uint32_t __data_end;
extern uint32_t __bss_start;
extern uint32_t __bss_end;

void __libc_init_array();
int main();

[[noreturn]] void Reset_Handler();
void HardFault_Handler();
void Default_Handler();
void NMI_Handler() __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler() __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler() __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler() __attribute__((weak, alias("Default_Handler")));
void SVC_Handler() __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler() __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler() __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler() __attribute__((weak, alias("Default_Handler")));
void ETH_IRQHandler() __attribute__((weak, alias("Default_Handler")));
}

namespace {

using Handler = void (*)();
constexpr size_t kSystemExceptions = 15;  // after the initial stack pointer
constexpr size_t kExternalIrqs = 32;      // the AN386 NVIC

struct VectorTable {
  const void* initial_sp;
  Handler system[kSystemExceptions];
  Handler irq[kExternalIrqs];
};

constexpr VectorTable MakeVectorTable() {
  VectorTable t{&__stack_top, {}, {}};
  t.system[0] = Reset_Handler;
  t.system[1] = NMI_Handler;
  t.system[2] = HardFault_Handler;
  t.system[3] = MemManage_Handler;
  t.system[4] = BusFault_Handler;
  t.system[5] = UsageFault_Handler;
  // 6..9 reserved
  t.system[10] = SVC_Handler;
  t.system[11] = DebugMon_Handler;
  // 12 reserved
  t.system[13] = PendSV_Handler;
  t.system[14] = SysTick_Handler;
  for (Handler& h : t.irq) h = Default_Handler;
  t.irq[gw::board::kEthIrq] = ETH_IRQHandler;
  return t;
}

}  // namespace

__attribute__((section(".isr_vector"), used)) constinit const VectorTable g_vector_table =
    MakeVectorTable();

extern "C" void Reset_Handler() {
  using namespace gw::board;
  // The FPU first: with -mfloat-abi=hard any function may touch it.
  Write32(scs::kCpacr, Read32(scs::kCpacr) | scs::kCpacrFpuFull);
  DataSyncBarrier();
  InstructionSyncBarrier();
  Write32(scs::kVtor, reinterpret_cast<uintptr_t>(&g_vector_table));
  // Integer divide by zero faults instead of yielding 0.
  Write32(scs::kCcr, Read32(scs::kCcr) | scs::kCcrDiv0Trp);
  // The cycle counter feeds the entropy pool (a no-op under QEMU).
  Write32(scs::kDemcr, Read32(scs::kDemcr) | scs::kDemcrTrcEna);
  Write32(scs::kDwtCtrl, Read32(scs::kDwtCtrl) | scs::kDwtCycCntEna);

  const auto data_bytes = static_cast<size_t>(reinterpret_cast<uintptr_t>(&__data_end) -
                                              reinterpret_cast<uintptr_t>(&__data_start));
  std::memcpy(&__data_start, &__data_load, data_bytes);
  const auto bss_bytes = static_cast<size_t>(reinterpret_cast<uintptr_t>(&__bss_end) -
                                             reinterpret_cast<uintptr_t>(&__bss_start));
  std::memset(&__bss_start, 0, bss_bytes);

  __libc_init_array();
  main();
  gw::hal::Panic("main() returned");
}

namespace {

char* AppendText(char* p, const char* text) {
  while (*text != '\0') *p++ = *text++;
  return p;
}

char* AppendHex(char* p, uint32_t value) {
  constexpr char kDigits[] = "0123456789abcdef";
  *p++ = '0';
  *p++ = 'x';
  for (int shift = 28; shift >= 0; shift -= 4) *p++ = kDigits[(value >> shift) & 0xFu];
  return p;
}

// Stacked exception frame: r0-r3, r12, lr, pc, xpsr.
constexpr size_t kFrameLr = 5;
constexpr size_t kFramePc = 6;

}  // namespace

extern "C" [[noreturn]] __attribute__((used)) void HardFaultReport(const uint32_t* frame) {
  using namespace gw::board;
  static char message[96];
  char* p = AppendText(message, "HardFault pc=");
  p = AppendHex(p, frame[kFramePc]);
  p = AppendText(p, " lr=");
  p = AppendHex(p, frame[kFrameLr]);
  p = AppendText(p, " cfsr=");
  p = AppendHex(p, Read32(scs::kCfsr));
  p = AppendText(p, " hfsr=");
  p = AppendHex(p, Read32(scs::kHfsr));
  gw::hal::Panic(std::string_view(message, static_cast<size_t>(p - message)));
}

// Picks the stack the fault frame was pushed on, then reports it.
extern "C" __attribute__((naked)) void HardFault_Handler() {
  __asm volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b HardFaultReport\n");
}

extern "C" void Default_Handler() {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  static char message[48];
  char* p = AppendText(message, "unexpected exception ");
  p = AppendHex(p, ipsr);
  gw::hal::Panic(std::string_view(message, static_cast<size_t>(p - message)));
}
