#pragma once
// The flash geometry the config fuzz target and its seed generator share,
// and the slot header's little-endian fields.
#include <cstddef>
#include <cstdint>

namespace gw::fuzz {

// Two slots of two 1 KiB sectors: documents up to 2032 bytes.
inline constexpr size_t kSeedSectorSize = 1024;
inline constexpr size_t kSeedSectors = 4;

inline uint32_t GetLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

inline void PutLe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace gw::fuzz
