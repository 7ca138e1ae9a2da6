#pragma once
// hal::StorageRegion backed by a file (host-sim's state directory), with
// flash semantics: erase sets a sector to 0xFF, program ANDs bits in.
// Writes go straight to the file (pwrite + fdatasync), so data survives a
// restart or a kill.
#include <cstddef>
#include <span>

#include "gw/hal/storage.h"

namespace gw::host {

class FileStorage final : public hal::StorageRegion {
 public:
  FileStorage(size_t sector_size, size_t sector_count)
      : sector_size_(sector_size), sector_count_(sector_count) {}
  ~FileStorage() override;
  FileStorage(const FileStorage&) = delete;
  FileStorage& operator=(const FileStorage&) = delete;

  // Opens (or creates, filled with 0xFF) path and takes an exclusive lock
  // on it. A shorter file is extended with 0xFF. Returns Unavailable if the
  // file cannot be opened or created, FailedPrecondition if another process
  // holds it (a second host-sim on the same state directory), DataLoss on an
  // I/O error while initialising.
  Status Open(const char* path);
  void Close();
  bool is_open() const { return fd_ >= 0; }

 private:
  size_t DoSectorSize() const override { return sector_size_; }
  size_t DoSectorCount() const override { return sector_count_; }
  Status DoRead(size_t offset, std::span<std::byte> out) override;
  Status DoEraseSector(size_t sector) override;
  Status DoProgram(size_t offset, std::span<const std::byte> bytes) override;

  bool InRange(size_t offset, size_t length) const;
  Status WriteAll(size_t offset, const std::byte* data, size_t length);
  Status FillErased(size_t offset, size_t length);

  size_t sector_size_;
  size_t sector_count_;
  int fd_ = -1;
};

// Region geometry of host-sim's state directory.
struct StorageLayout {
  static constexpr size_t kSectorSize = 4096;
  static constexpr size_t kConfigSectors = 2;  // config.bin  8 KiB
  static constexpr size_t kUserSectors = 16;   // users.bin  64 KiB
  static constexpr size_t kCdrSectors = 64;    // cdr.bin   256 KiB
};

}  // namespace gw::host
