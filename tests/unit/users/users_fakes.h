#pragma once
// Storage that "loses power": after `budget` more write operations the next
// one is torn (a Program writes only its first half, an Erase resets only
// the first half of the sector) and fails, and so does every later call
// until Revive(). Reads keep working, so a new store can load the image.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gw/config/json_arena.h"
#include "gw/hal/storage.h"
#include "gw/users/user_store.h"

namespace gw::users {

class CutStorage : public hal::StorageRegion {
 public:
  CutStorage(size_t sector_size, size_t sectors)
      : sector_size_(sector_size), bytes_(sector_size * sectors, 0xFF) {}
  std::vector<uint8_t>& bytes() { return bytes_; }
  void CutAfter(int writes) { budget_ = writes; }
  void Revive() {
    budget_ = -1;
    dead_ = false;
  }
  bool dead() const { return dead_; }
  int writes() const { return writes_; }

 private:
  size_t DoSectorSize() const override { return sector_size_; }
  size_t DoSectorCount() const override { return bytes_.size() / sector_size_; }
  Status DoRead(size_t offset, std::span<std::byte> out) override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) {
      return Status::OutOfRange();
    }
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::Ok();
  }
  enum class Outcome { kWhole, kTorn, kNothing };
  Outcome Spend() {
    if (dead_) return Outcome::kNothing;
    if (budget_ == 0) {
      dead_ = true;
      return Outcome::kTorn;
    }
    if (budget_ > 0) --budget_;
    ++writes_;
    return Outcome::kWhole;
  }
  static size_t Part(Outcome o, size_t n) {
    return o == Outcome::kWhole ? n : o == Outcome::kTorn ? n / 2 : 0;
  }
  Status DoEraseSector(size_t sector) override {
    if (sector >= DoSectorCount()) return Status::OutOfRange();
    Outcome o = Spend();
    std::fill_n(bytes_.begin() + static_cast<long>(sector * sector_size_), Part(o, sector_size_),
                0xFF);
    return o == Outcome::kWhole ? Status::Ok() : Status::DataLoss();
  }
  Status DoProgram(size_t offset, std::span<const std::byte> in) override {
    if (offset > bytes_.size() || in.size() > bytes_.size() - offset) {
      return Status::OutOfRange();
    }
    Outcome o = Spend();
    size_t n = Part(o, in.size());
    for (size_t i = 0; i < n; ++i) bytes_[offset + i] &= static_cast<uint8_t>(in[i]);
    return o == Outcome::kWhole ? Status::Ok() : Status::DataLoss();
  }

  size_t sector_size_;
  std::vector<uint8_t> bytes_;
  int budget_ = -1;
  int writes_ = 0;
  bool dead_ = false;
};

}  // namespace gw::users
