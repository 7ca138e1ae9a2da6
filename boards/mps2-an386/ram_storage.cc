#include "ram_storage.h"

#include <cstring>

// Addresses from mps2_an386.ld.
extern "C" {
extern std::byte __gw_storage_header[];
extern std::byte __gw_storage_config[];
extern std::byte __gw_storage_config_size[];
extern std::byte __gw_storage_users[];
extern std::byte __gw_storage_users_size[];
extern std::byte __gw_storage_cdr[];
extern std::byte __gw_storage_cdr_size[];
}

namespace gw::board {
namespace {

constexpr std::byte kErased{0xFF};
constexpr uint32_t kHeaderMagic = 0x4757'5354;  // "GWST"
constexpr uint32_t kHeaderVersion = 1;

struct StorageHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t layout;  // config/users/cdr sizes folded together
  uint32_t boots;
};

size_t SymbolValue(const std::byte* symbol) {
  return reinterpret_cast<uintptr_t>(symbol);
}

}  // namespace

bool RamStorageRegion::InRange(size_t offset, size_t length) const {
  const size_t size = sectors_ * kSectorSize;
  return offset <= size && length <= size - offset;
}

Status RamStorageRegion::DoRead(size_t offset, std::span<std::byte> out) {
  if (!InRange(offset, out.size())) return Status::OutOfRange();
  std::memcpy(out.data(), base_ + offset, out.size());
  return Status::Ok();
}

Status RamStorageRegion::DoEraseSector(size_t sector) {
  if (sector >= sectors_) return Status::OutOfRange();
  std::memset(base_ + sector * kSectorSize, static_cast<int>(kErased), kSectorSize);
  return Status::Ok();
}

Status RamStorageRegion::DoProgram(size_t offset, std::span<const std::byte> bytes) {
  if (!InRange(offset, bytes.size())) return Status::OutOfRange();
  for (size_t i = 0; i < bytes.size(); ++i) base_[offset + i] &= bytes[i];
  return Status::Ok();
}

BoardStorage InitBoardStorage() {
  static RamStorageRegion config(__gw_storage_config, SymbolValue(__gw_storage_config_size));
  static RamStorageRegion users(__gw_storage_users, SymbolValue(__gw_storage_users_size));
  static RamStorageRegion cdr(__gw_storage_cdr, SymbolValue(__gw_storage_cdr_size));

  auto* header = reinterpret_cast<StorageHeader*>(__gw_storage_header);
  const uint32_t layout =
      static_cast<uint32_t>(config.Size() ^ (users.Size() << 1) ^ (cdr.Size() << 2));
  const bool cold = header->magic != kHeaderMagic || header->version != kHeaderVersion ||
                    header->layout != layout;
  if (cold) {
    for (RamStorageRegion* r : {&config, &users, &cdr}) {
      for (size_t s = 0; s < r->SectorCount(); ++s) r->EraseSector(s).IgnoreError();
    }
    header->magic = kHeaderMagic;
    header->version = kHeaderVersion;
    header->layout = layout;
    header->boots = 0;
  }
  ++header->boots;
  return BoardStorage{config, users, cdr, cold};
}

}  // namespace gw::board
