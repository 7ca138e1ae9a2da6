#pragma once
// Fakes for config tests (also used by the mml tests): a RAM flash with
// erase-to-0xFF / program-ANDs semantics, and a deterministic entropy.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gw/hal/entropy.h"
#include "gw/hal/storage.h"

namespace gw::config {

class FakeFlash : public hal::StorageRegion {
 public:
  FakeFlash(size_t sector_size, size_t sectors)
      : sector_size_(sector_size), bytes_(sector_size * sectors, std::byte{0xFF}) {}

  std::vector<std::byte>& bytes() { return bytes_; }
  // Programs fail after this many more calls (simulates a power cut).
  void FailProgramAfter(int calls) { program_budget_ = calls; }
  int erases() const { return erases_; }

 private:
  size_t DoSectorSize() const override { return sector_size_; }
  size_t DoSectorCount() const override { return bytes_.size() / sector_size_; }
  Status DoRead(size_t offset, std::span<std::byte> out) override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) return Status::OutOfRange();
    for (size_t i = 0; i < out.size(); ++i) out[i] = bytes_[offset + i];
    return Status::Ok();
  }
  Status DoEraseSector(size_t sector) override {
    if (sector >= DoSectorCount()) return Status::OutOfRange();
    ++erases_;
    for (size_t i = 0; i < sector_size_; ++i) bytes_[sector * sector_size_ + i] = std::byte{0xFF};
    return Status::Ok();
  }
  Status DoProgram(size_t offset, std::span<const std::byte> in) override {
    if (offset > bytes_.size() || in.size() > bytes_.size() - offset) return Status::OutOfRange();
    if (program_budget_ == 0) return Status::DataLoss();
    if (program_budget_ > 0) --program_budget_;
    for (size_t i = 0; i < in.size(); ++i) bytes_[offset + i] &= in[i];
    return Status::Ok();
  }

  size_t sector_size_;
  std::vector<std::byte> bytes_;
  int program_budget_ = -1;
  int erases_ = 0;
};

class FakeEntropy : public hal::Entropy {
 private:
  Status DoFill(std::span<std::byte> out) override {
    for (std::byte& b : out) {
      state_ = state_ * 1103515245u + 12345u;
      b = static_cast<std::byte>(state_ >> 16);
    }
    return Status::Ok();
  }
  uint32_t state_ = 7;
};

}  // namespace gw::config
