#pragma once
// A flash-like storage region: erase sets a sector to 0xFF, program may only
// clear bits (1 -> 0). host-sim backs regions with files, boards with flash.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gw/core/status.h"

namespace gw::hal {

class StorageRegion {
 public:
  virtual ~StorageRegion() = default;
  size_t SectorSize() const { return DoSectorSize(); }
  size_t SectorCount() const { return DoSectorCount(); }
  size_t Size() const { return SectorSize() * SectorCount(); }

  // OutOfRange if [offset, offset+out.size()) leaves the region;
  // DataLoss if the medium cannot be read.
  Status Read(size_t offset, std::span<std::byte> out) { return DoRead(offset, out); }
  // OutOfRange for a sector past the end; DataLoss on a medium error.
  Status EraseSector(size_t sector) { return DoEraseSector(sector); }
  // ANDs bytes into the medium. OutOfRange past the end; DataLoss on error.
  Status Program(size_t offset, std::span<const std::byte> bytes) {
    return DoProgram(offset, bytes);
  }

 private:
  virtual size_t DoSectorSize() const = 0;
  virtual size_t DoSectorCount() const = 0;
  virtual Status DoRead(size_t offset, std::span<std::byte> out) = 0;
  virtual Status DoEraseSector(size_t sector) = 0;
  virtual Status DoProgram(size_t offset, std::span<const std::byte> bytes) = 0;
};

}  // namespace gw::hal
