#include "boot_args.h"

#include <cstddef>
#include <cstring>

extern "C" {
extern const char __gw_bootargs[];
extern const char __gw_bootargs_size[];
}

namespace gw::board {
namespace {

constexpr size_t kMagicSize = sizeof(kBootArgsMagic);
constexpr size_t kMaxText = 1024;
char text[kMaxText];

bool Printable(char c) {
  return c >= ' ' && c <= '~';
}

}  // namespace

std::string_view ReadBootArgs() {
  const char* block = __gw_bootargs;
  const size_t block_size = reinterpret_cast<uintptr_t>(__gw_bootargs_size);
  if (std::memcmp(block, kBootArgsMagic, kMagicSize) != 0) return {};
  const char* src = block + kMagicSize;
  const size_t limit = block_size - kMagicSize < kMaxText ? block_size - kMagicSize : kMaxText;
  size_t n = 0;
  while (n < limit && src[n] != '\0') {
    if (!Printable(src[n])) return {};
    ++n;
  }
  if (n == limit) return {};  // no terminator inside the block
  std::memcpy(text, src, n);
  // Trailing newlines from `echo` are fine: trim trailing spaces.
  while (n > 0 && text[n - 1] == ' ') --n;
  return std::string_view(text, n);
}

}  // namespace gw::board
