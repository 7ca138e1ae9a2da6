#pragma once
// Fakes of the HAL interfaces for host tests: fixed capacity, a clock
// advanced by hand, storage with flash semantics, a NetDevice with frame
// queues in both directions.
#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "gw/hal/clock.h"
#include "gw/hal/console.h"
#include "gw/hal/entropy.h"
#include "gw/hal/idle.h"
#include "gw/hal/net_device.h"
#include "gw/hal/storage.h"

namespace gw::testing {

class FakeClock : public hal::MonotonicClock {
 public:
  uint32_t now = 1000;

 private:
  uint32_t DoNowMs() override { return now; }
};

class FakeWallClock : public hal::WallClock {
 public:
  int64_t unix_seconds = 1795000000;  // 2026-11
  bool synced = false;

 private:
  int64_t DoNowUnixSeconds() override { return unix_seconds; }
  bool DoSynced() override { return synced; }
};

// Idling advances the fake clock by the whole wait.
class FakeIdler : public hal::Idler {
 public:
  explicit FakeIdler(FakeClock& clock) : clock_(clock) {}

 private:
  void DoIdle(uint32_t max_ms) override { clock_.now += max_ms; }
  FakeClock& clock_;
};

class FakeConsole : public hal::Console {
 public:
  std::string input;   // bytes not yet read by the firmware
  std::string output;  // everything the firmware wrote
  bool interactive = false;

 private:
  size_t DoRead(std::span<std::byte> out) override {
    size_t n = std::min(out.size(), input.size());
    std::memcpy(out.data(), input.data(), n);
    input.erase(0, n);
    return n;
  }
  void DoWrite(std::span<const std::byte> bytes) override {
    output.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  bool DoInteractive() override { return interactive; }
};

class FakeEntropy : public hal::Entropy {
 public:
  uint8_t next = 1;

 private:
  Status DoFill(std::span<std::byte> out) override {
    for (std::byte& b : out) b = static_cast<std::byte>(next++ * 37u + 11u);
    return Status::Ok();
  }
};

// RAM storage with flash semantics: erase sets 0xFF, program ANDs.
class RamStorage : public hal::StorageRegion {
 public:
  RamStorage(size_t sector_size, size_t sectors)
      : sector_size_(sector_size), sectors_(sectors), bytes_(sector_size * sectors, 0xFF) {}
  std::vector<uint8_t>& bytes() { return bytes_; }
  bool fail = false;  // every call returns DataLoss

 private:
  size_t DoSectorSize() const override { return sector_size_; }
  size_t DoSectorCount() const override { return sectors_; }
  Status DoRead(size_t offset, std::span<std::byte> out) override {
    if (fail) return Status::DataLoss();
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) return Status::OutOfRange();
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::Ok();
  }
  Status DoEraseSector(size_t sector) override {
    if (fail) return Status::DataLoss();
    if (sector >= sectors_) return Status::OutOfRange();
    std::fill_n(bytes_.begin() + static_cast<long>(sector * sector_size_), sector_size_, 0xFF);
    return Status::Ok();
  }
  Status DoProgram(size_t offset, std::span<const std::byte> in) override {
    if (fail) return Status::DataLoss();
    if (offset > bytes_.size() || in.size() > bytes_.size() - offset) return Status::OutOfRange();
    for (size_t i = 0; i < in.size(); ++i) bytes_[offset + i] &= static_cast<uint8_t>(in[i]);
    return Status::Ok();
  }
  size_t sector_size_;
  size_t sectors_;
  std::vector<uint8_t> bytes_;
};

// Frames queued by the test are received by the firmware and vice versa.
// The queues are reserved up front so that steady use does not allocate.
class FakeNetDevice : public hal::NetDevice {
 public:
  static constexpr size_t kQueue = 64;
  FakeNetDevice() {
    for (auto& f : rx_) f.reserve(kMaxFrame);
    for (auto& f : tx_) f.reserve(kMaxFrame);
  }
  hal::MacAddress mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

  // Queues a frame for the firmware; false when the queue is full.
  bool Inject(const uint8_t* data, size_t len) {
    if (rx_count_ == kQueue) return false;
    auto& f = rx_[(rx_head_ + rx_count_++) % kQueue];
    f.assign(data, data + len);
    return true;
  }
  size_t sent_count() const { return tx_count_; }
  // The i-th frame the firmware sent since the last ClearSent().
  const std::vector<uint8_t>& sent(size_t i) const { return tx_[i]; }
  void ClearSent() { tx_count_ = 0; }

 private:
  Status DoStart() override { return Status::Ok(); }
  hal::MacAddress DoMac() const override { return mac; }
  Result<size_t> DoReceive(std::span<std::byte> out) override {
    if (rx_count_ == 0) return size_t{0};
    auto& f = rx_[rx_head_];
    rx_head_ = (rx_head_ + 1) % kQueue;
    --rx_count_;
    if (f.size() > out.size()) return Status::OutOfRange();
    std::memcpy(out.data(), f.data(), f.size());
    return f.size();
  }
  Status DoTransmit(std::span<const std::byte> frame) override {
    if (tx_count_ == kQueue) return Status::ResourceExhausted();
    auto& f = tx_[tx_count_++];
    f.assign(reinterpret_cast<const uint8_t*>(frame.data()),
             reinterpret_cast<const uint8_t*>(frame.data()) + frame.size());
    return Status::Ok();
  }
  std::vector<uint8_t> rx_[kQueue];
  size_t rx_head_ = 0, rx_count_ = 0;
  std::vector<uint8_t> tx_[kQueue];
  size_t tx_count_ = 0;
};

}  // namespace gw::testing
