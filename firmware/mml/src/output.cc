#include "gw/mml/output.h"

#include <cstdio>

namespace gw::mml {

void Output::Printf(const char* fmt, ...) {
  char line[256];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(line, sizeof(line), fmt, args);
  va_end(args);
  if (n < 0) return;
  size_t len = static_cast<size_t>(n) < sizeof(line) ? static_cast<size_t>(n) : sizeof(line) - 1;
  DoWrite(std::string_view(line, len));
}

}  // namespace gw::mml
