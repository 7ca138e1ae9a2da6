#include "lan9118.h"

#include <cstring>

#include "entropy.h"
#include "registers.h"

namespace gw::board {
namespace {

// Register offsets (32-bit bus).
constexpr uintptr_t kRxDataFifo = 0x00;
constexpr uintptr_t kTxDataFifo = 0x20;
constexpr uintptr_t kRxStatusFifo = 0x40;
constexpr uintptr_t kTxStatusFifo = 0x48;
constexpr uintptr_t kIdRev = 0x50;
constexpr uintptr_t kIrqCfg = 0x54;
constexpr uintptr_t kIntSts = 0x58;
constexpr uintptr_t kIntEn = 0x5C;
constexpr uintptr_t kByteTest = 0x64;
constexpr uintptr_t kRxCfg = 0x6C;
constexpr uintptr_t kTxCfg = 0x70;
constexpr uintptr_t kHwCfg = 0x74;
constexpr uintptr_t kRxFifoInf = 0x7C;
constexpr uintptr_t kTxFifoInf = 0x80;
constexpr uintptr_t kPmtCtrl = 0x84;
constexpr uintptr_t kMacCsrCmd = 0xA4;
constexpr uintptr_t kMacCsrData = 0xA8;

constexpr uint32_t kByteTestValue = 0x8765'4321;
constexpr uint32_t kIdRevChipMask = 0xFFFF'0000;
constexpr uint32_t kHwCfgSoftReset = 1u << 0;
constexpr uint32_t kPmtCtrlReady = 1u << 0;
// IRQ_CFG: enable, active-high, push-pull. QEMU inverts the line unless both
// POL and TYPE are set, and the NVIC would then see it asserted forever.
constexpr uint32_t kIrqCfgType = 1u << 0;
constexpr uint32_t kIrqCfgPol = 1u << 4;
constexpr uint32_t kIrqCfgEnable = 1u << 8;
// INT_STS / INT_EN: RX status FIFO level reached.
constexpr uint32_t kIntRxStatusLevel = 1u << 3;
constexpr uint32_t kIntAll = 0xFFFF'FFFF;
constexpr uint32_t kTxCfgTxOn = 1u << 1;
constexpr uint32_t kRxCfgDefault = 0;  // no offset, no end padding

// RX_FIFO_INF / TX_FIFO_INF fields.
constexpr uint32_t kRxStatusUsedShift = 16;
constexpr uint32_t kRxStatusUsedMask = 0xFF;
constexpr uint32_t kTxStatusUsedShift = 16;
constexpr uint32_t kTxStatusUsedMask = 0xFF;
constexpr uint32_t kTxDataFreeMask = 0xFFFF;

// RX status word.
constexpr uint32_t kRxStatusLengthShift = 16;
constexpr uint32_t kRxStatusLengthMask = 0x3FFF;
constexpr uint32_t kRxStatusErrorSummary = 1u << 15;
constexpr size_t kFcsBytes = 4;
constexpr size_t kMinFrame = 14;  // an Ethernet header
// TX status word.
constexpr uint32_t kTxStatusErrorSummary = 1u << 15;

// TX command A / B.
constexpr uint32_t kTxCmdAFirstSegment = 1u << 13;
constexpr uint32_t kTxCmdALastSegment = 1u << 12;
constexpr uint32_t kTxCmdBTagShift = 16;
constexpr size_t kTxCommandBytes = 8;

// MAC CSR access.
constexpr uint32_t kMacCsrBusy = 1u << 31;
constexpr uint32_t kMacCsrRead = 1u << 30;
constexpr uint32_t kMacCr = 1;
constexpr uint32_t kMacAddrH = 2;
constexpr uint32_t kMacAddrL = 3;
constexpr uint32_t kMacMiiAcc = 6;
constexpr uint32_t kMacMiiData = 7;
constexpr uint32_t kMacCrRxEnable = 1u << 2;
constexpr uint32_t kMacCrTxEnable = 1u << 3;
constexpr uint32_t kMacCrFullDuplex = 1u << 20;
// MII access: PHY address 1, register index, busy.
constexpr uint32_t kMiiPhyAddress = 1u << 11;
constexpr uint32_t kMiiRegShift = 6;
constexpr uint32_t kMiiBusy = 1u << 0;
constexpr uint32_t kPhyBasicStatus = 1;
constexpr uint16_t kPhyLinkUp = 1u << 2;

constexpr int kPollLimit = 100'000;

Lan9118* irq_target = nullptr;

}  // namespace

uint32_t Lan9118::Reg(uintptr_t offset) const {
  return Read32(base_ + offset);
}
void Lan9118::SetReg(uintptr_t offset, uint32_t value) {
  Write32(base_ + offset, value);
}

bool Lan9118::MacWait() {
  for (int i = 0; i < kPollLimit; ++i) {
    if ((Reg(kMacCsrCmd) & kMacCsrBusy) == 0) return true;
  }
  return false;
}

uint32_t Lan9118::MacRead(uint32_t index) {
  SetReg(kMacCsrCmd, kMacCsrBusy | kMacCsrRead | index);
  MacWait();
  return Reg(kMacCsrData);
}

void Lan9118::MacWrite(uint32_t index, uint32_t value) {
  SetReg(kMacCsrData, value);
  SetReg(kMacCsrCmd, kMacCsrBusy | index);
  MacWait();
}

uint16_t Lan9118::PhyRead(uint32_t index) {
  MacWrite(kMacMiiAcc, kMiiPhyAddress | (index << kMiiRegShift) | kMiiBusy);
  for (int i = 0; i < kPollLimit; ++i) {
    if ((MacRead(kMacMiiAcc) & kMiiBusy) == 0) break;
  }
  return static_cast<uint16_t>(MacRead(kMacMiiData));
}

bool Lan9118::LinkUp() {
  return (PhyRead(kPhyBasicStatus) & kPhyLinkUp) != 0;
}

Status Lan9118::DoStart() {
  if (Reg(kByteTest) != kByteTestValue) return Status::Unavailable();
  if ((Reg(kIdRev) & kIdRevChipMask) == 0) return Status::Unavailable();

  SetReg(kHwCfg, kHwCfgSoftReset);
  int i = 0;
  while ((Reg(kHwCfg) & kHwCfgSoftReset) != 0 && ++i < kPollLimit) {
  }
  i = 0;
  while ((Reg(kPmtCtrl) & kPmtCtrlReady) == 0 && ++i < kPollLimit) {
  }
  if (i >= kPollLimit) return Status::Unavailable();

  MacWrite(kMacAddrL, static_cast<uint32_t>(mac_[0]) | (static_cast<uint32_t>(mac_[1]) << 8) |
                          (static_cast<uint32_t>(mac_[2]) << 16) |
                          (static_cast<uint32_t>(mac_[3]) << 24));
  MacWrite(kMacAddrH, static_cast<uint32_t>(mac_[4]) | (static_cast<uint32_t>(mac_[5]) << 8));

  SetReg(kRxCfg, kRxCfgDefault);
  SetReg(kTxCfg, kTxCfgTxOn);
  // Unicast to our address and broadcast; promiscuous off.
  MacWrite(kMacCr, kMacCrTxEnable | kMacCrRxEnable | kMacCrFullDuplex);

  irq_target = this;
  SetReg(kIntSts, kIntAll);
  SetReg(kIntEn, kIntRxStatusLevel);
  SetReg(kIrqCfg, kIrqCfgEnable | kIrqCfgPol | kIrqCfgType);
  NvicClearPending(kEthIrq);
  NvicEnable(kEthIrq);
  started_ = true;
  return Status::Ok();
}

bool Lan9118::RxPending() const {
  if (!started_) return false;
  return irq_flag_ || ((Reg(kRxFifoInf) >> kRxStatusUsedShift) & kRxStatusUsedMask) != 0;
}

void Lan9118::DiscardWords(uint32_t words) {
  for (uint32_t w = 0; w < words; ++w) (void)Reg(kRxDataFifo);
}

Result<size_t> Lan9118::DoReceive(std::span<std::byte> out) {
  if (!started_) return Status::FailedPrecondition();
  while (true) {
    if (((Reg(kRxFifoInf) >> kRxStatusUsedShift) & kRxStatusUsedMask) == 0) {
      // Drained: unmask the RX interrupt again (the handler masked it). A
      // frame that came in meanwhile left its status bit set, so the line
      // rises at once and nothing is missed.
      irq_flag_ = false;
      SetReg(kIntEn, kIntRxStatusLevel);
      return size_t{0};
    }
    const uint32_t status = Reg(kRxStatusFifo);
    EntropyPool::AddEvent(status);
    const size_t length = (status >> kRxStatusLengthShift) & kRxStatusLengthMask;  // with FCS
    const uint32_t words = static_cast<uint32_t>((length + 3) / 4);
    if ((status & kRxStatusErrorSummary) != 0 || length < kMinFrame + kFcsBytes) {
      ++counters_.rx_errors;
      DiscardWords(words);
      continue;
    }
    const size_t frame = length - kFcsBytes;
    if (frame > out.size()) {
      ++counters_.rx_too_big;
      DiscardWords(words);
      return Status::OutOfRange();
    }
    size_t pos = 0;
    for (uint32_t w = 0; w < words; ++w) {
      const uint32_t word = Reg(kRxDataFifo);
      if (pos < frame) {
        const size_t n = frame - pos < 4 ? frame - pos : 4;
        std::memcpy(out.data() + pos, &word, n);  // little-endian FIFO
        pos += n;
      }
    }
    ++counters_.rx_frames;
    return frame;
  }
}

Status Lan9118::DoTransmit(std::span<const std::byte> frame) {
  if (!started_) return Status::FailedPrecondition();
  // Collect completed TX statuses so the status FIFO never fills.
  while (((Reg(kTxFifoInf) >> kTxStatusUsedShift) & kTxStatusUsedMask) != 0) {
    if ((Reg(kTxStatusFifo) & kTxStatusErrorSummary) != 0) ++counters_.tx_errors;
  }
  if (frame.size() > kMaxFrame || frame.size() < kMinFrame) {
    ++counters_.tx_too_big;
    return Status::OutOfRange();
  }
  const size_t padded = (frame.size() + 3) & ~size_t{3};
  if ((Reg(kTxFifoInf) & kTxDataFreeMask) < padded + kTxCommandBytes) {
    ++counters_.tx_no_room;
    return Status::ResourceExhausted();
  }
  const auto length = static_cast<uint32_t>(frame.size());
  const uint32_t tag = ++tx_tag_;
  SetReg(kTxDataFifo, kTxCmdAFirstSegment | kTxCmdALastSegment | length);
  SetReg(kTxDataFifo, (tag << kTxCmdBTagShift) | length);
  for (size_t pos = 0; pos < frame.size(); pos += 4) {
    uint32_t word = 0;
    const size_t n = frame.size() - pos < 4 ? frame.size() - pos : 4;
    std::memcpy(&word, frame.data() + pos, n);
    SetReg(kTxDataFifo, word);
  }
  ++counters_.tx_frames;
  EntropyPool::AddEvent(length);
  return Status::Ok();
}

void Lan9118::OnInterrupt() {
  ++counters_.irqs;
  // Mask and acknowledge; the loop polls the FIFO and unmasks when drained.
  SetReg(kIntEn, 0);
  SetReg(kIntSts, Reg(kIntSts));
  irq_flag_ = true;
}

void RegisterEthIrqTarget(Lan9118* device) {
  irq_target = device;
}

}  // namespace gw::board

extern "C" void ETH_IRQHandler() {
  if (gw::board::irq_target != nullptr) {
    gw::board::irq_target->OnInterrupt();
  } else {
    gw::board::NvicDisable(gw::board::kEthIrq);
  }
}
