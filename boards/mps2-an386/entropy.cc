#include "entropy.h"

#include "registers.h"
#include "systick.h"

namespace gw::board {
namespace {

constexpr size_t kPoolWords = 8;
// Jitter samples folded into each 32-bit output word.
constexpr int kSamplesPerWord = 16;

uint32_t pool[kPoolWords];
uint32_t pool_index = 0;

constexpr uint32_t Rotl(uint32_t v, int n) {
  return (v << n) | (v >> (32 - n));
}

// Murmur3's 32-bit finaliser: every input bit affects every output bit.
constexpr uint32_t Avalanche(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EB'CA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2'AE35u;
  h ^= h >> 16;
  return h;
}

// FNV-1a over the build date and time: differs from image to image.
constexpr uint32_t HashText(const char* s) {
  uint32_t h = 0x811C'9DC5u;
  for (; *s != '\0'; ++s) h = (h ^ static_cast<uint8_t>(*s)) * 0x0100'0193u;
  return h;
}
constexpr uint32_t kImageValue = HashText(__DATE__ " " __TIME__);

uint32_t TimerSample() {
  return Read32(scs::kSysTickVal) ^ Rotl(SysTickClock::Ticks(), 13) ^
         Rotl(Read32(scs::kDwtCyccnt), 7);
}

}  // namespace

void EntropyPool::AddEvent(uint32_t data) {
  const uint32_t i = pool_index++ % kPoolWords;
  pool[i] = Avalanche(pool[i] ^ Rotl(data, static_cast<int>(i) + 1) ^ TimerSample() ^
                      pool[(i + 1) % kPoolWords]);
}

uint32_t EntropyPool::Draw() {
  uint32_t h = kImageValue;
  for (int s = 0; s < kSamplesPerWord; ++s) {
    // The time a few register reads take varies with host scheduling.
    AddEvent(static_cast<uint32_t>(s));
  }
  for (uint32_t w : pool) h = Avalanche(h ^ w);
  AddEvent(h);  // backtracking: the next draw does not repeat this one
  return h;
}

Status JitterEntropy::DoFill(std::span<std::byte> out) {
  EntropyPool::AddEvent(salt_);
  size_t i = 0;
  while (i < out.size()) {
    uint32_t word = EntropyPool::Draw();
    for (int b = 0; b < 4 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<std::byte>(word & 0xFFu);
      word >>= 8;
    }
  }
  return Status::Ok();
}

}  // namespace gw::board
