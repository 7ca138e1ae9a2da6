#include "gw/core/log.h"

#include <cstdio>
#include <cstring>

namespace gw::log {
namespace {
LogRing* g_ring = nullptr;  // set once by the composition root

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}
}  // namespace

const char* LevelName(Level level) {
  switch (level) {
    case Level::kError:
      return "ERROR";
    case Level::kWarn:
      return "WARN";
    case Level::kInfo:
      return "INFO";
    case Level::kDebug:
      return "DEBUG";
  }
  return "?";
}

bool ParseLevel(std::string_view text, Level& out) {
  for (Level l : {Level::kError, Level::kWarn, Level::kInfo, Level::kDebug}) {
    if (EqualsIgnoreCase(text, LevelName(l))) {
      out = l;
      return true;
    }
  }
  return false;
}

void LogRing::Write(Level level, const char* tag, const char* fmt, va_list args) {
  if (level > level_) return;
  if (lines_.full()) ++overwritten_;
  Line& line = lines_.EmplaceOverwrite();
  line.ms = now_ != nullptr ? now_(now_ctx_) : 0;
  line.level = level;
  std::snprintf(line.tag, sizeof(line.tag), "%s", tag);
  // A longer message is cut to the line size: the ring holds fixed lines.
  std::vsnprintf(line.text, sizeof(line.text), fmt, args);
  ++written_;
  if (sink_ != nullptr && level <= sink_level_) sink_->Emit(line);
}

void Install(LogRing* ring) {
  g_ring = ring;
}
LogRing* Installed() {
  return g_ring;
}

void Write(Level level, const char* tag, const char* fmt, ...) {
  if (g_ring == nullptr) return;
  va_list args;
  va_start(args, fmt);
  g_ring->Write(level, tag, fmt, args);
  va_end(args);
}

}  // namespace gw::log
