#pragma once
// Storage regions backed by a reserved RAM area (QEMU's mps2 has no flash
// worth using). Flash semantics are kept so that the firmware behaves as on
// real flash: erase sets a sector to 0xFF, program ANDs bits in.
//
// The area survives a CpuReset() (QEMU does not clear RAM on a system reset)
// but not a restart of QEMU. A header with a magic word tells the two apart:
// on a cold start every region is erased.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gw/hal/storage.h"

namespace gw::board {

class RamStorageRegion final : public hal::StorageRegion {
 public:
  static constexpr size_t kSectorSize = 4096;

  RamStorageRegion(std::byte* base, size_t size) : base_(base), sectors_(size / kSectorSize) {}

  std::byte* Base() const { return base_; }

 private:
  size_t DoSectorSize() const override { return kSectorSize; }
  size_t DoSectorCount() const override { return sectors_; }
  Status DoRead(size_t offset, std::span<std::byte> out) override;
  Status DoEraseSector(size_t sector) override;
  Status DoProgram(size_t offset, std::span<const std::byte> bytes) override;

  bool InRange(size_t offset, size_t length) const;

  std::byte* base_;
  size_t sectors_;
};

// The board's three regions at the addresses of the linker script.
struct BoardStorage {
  RamStorageRegion& config;
  RamStorageRegion& users;
  RamStorageRegion& cdr;
  bool cold_start;  // true when the regions were found unformatted and erased
};

// Checks the header; erases every region on a cold start.
BoardStorage InitBoardStorage();

}  // namespace gw::board
