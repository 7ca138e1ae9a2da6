#pragma once
// Seed material for the DRBG on a board without a TRNG.
//
// WEAK: the mps2-an386 (and QEMU's model of it) has no hardware random
// source. What this collects is timing jitter: the SysTick current value and
// tick count (QEMU derives them from host time, so they carry some host
// scheduling noise), the DWT cycle counter (reads as zero under QEMU), the
// arrival times and contents of UART bytes and Ethernet frames, and a
// per-image constant (build date and time) plus the MAC address. An attacker
// who knows the image and can observe or guess the boot timing can narrow
// the seed a lot. Fine for SIP nonces and Call-IDs in a lab; not a key
// source. A real board must use its TRNG here.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gw/hal/entropy.h"

namespace gw::board {

// A small mixing pool fed from interrupts and drivers.
class EntropyPool {
 public:
  // Mixes `data` and the current timer values into the pool. Cheap enough
  // for every received frame or byte.
  static void AddEvent(uint32_t data);
  // Returns 32 bits mixed from the pool and fresh timer samples.
  static uint32_t Draw();
};

class JitterEntropy final : public hal::Entropy {
 public:
  // `image_salt`: a per-image/per-device value (e.g. MAC address bytes).
  explicit JitterEntropy(uint32_t image_salt) : salt_(image_salt) {}

 private:
  Status DoFill(std::span<std::byte> out) override;
  uint32_t salt_;
};

}  // namespace gw::board
