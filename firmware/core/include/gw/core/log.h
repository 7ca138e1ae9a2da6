#pragma once
// Logging with levels into a RAM ring (DSP LOG reads it), optionally echoed
// to a sink (the console in host-sim, syslog later). The composition root
// installs one LogRing; the macros reach it through gw::log::Write, the one
// link-time entry point of the module.
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/core/ring.h"
#include "gw_profile.h"

namespace gw::log {

enum class Level : uint8_t { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

const char* LevelName(Level level);
// Parses ERROR/WARN/INFO/DEBUG (any case).
bool ParseLevel(std::string_view text, Level& out);

struct Line {
  uint32_t ms = 0;
  Level level = Level::kInfo;
  char tag[8] = {};
  char text[GW_CAP_LOG_LINE_CHARS + 1] = {};
};

class Sink {
 public:
  virtual ~Sink() = default;
  void Emit(const Line& line) { DoEmit(line); }

 private:
  virtual void DoEmit(const Line& line) = 0;
};

class LogRing {
 public:
  using NowFn = uint32_t (*)(void* ctx);
  LogRing(NowFn now, void* now_ctx) : now_(now), now_ctx_(now_ctx) {}

  void Write(Level level, const char* tag, const char* fmt, va_list args);
  Level level() const { return level_; }
  void set_level(Level level) { level_ = level; }
  void set_sink(Sink* sink, Level sink_level) {
    sink_ = sink;
    sink_level_ = sink_level;
  }
  size_t size() const { return lines_.size(); }
  // i = 0 is the oldest kept line.
  const Line& operator[](size_t i) const { return lines_[i]; }
  uint32_t written() const { return written_; }
  uint32_t overwritten() const { return overwritten_; }
  void clear() { lines_.clear(); }

 private:
  NowFn now_;
  void* now_ctx_;
  Level level_ = Level::kInfo;
  Sink* sink_ = nullptr;
  Level sink_level_ = Level::kWarn;
  Ring<Line, GW_CAP_LOG_LINES> lines_;
  uint32_t written_ = 0;
  uint32_t overwritten_ = 0;
};

// Installs the ring the macros write to (nullptr: logging is discarded).
void Install(LogRing* ring);
LogRing* Installed();
void Write(Level level, const char* tag, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace gw::log

#define GW_LOG_ERROR(tag, ...) ::gw::log::Write(::gw::log::Level::kError, tag, __VA_ARGS__)
#define GW_LOG_WARN(tag, ...) ::gw::log::Write(::gw::log::Level::kWarn, tag, __VA_ARGS__)
#define GW_LOG_INFO(tag, ...) ::gw::log::Write(::gw::log::Level::kInfo, tag, __VA_ARGS__)
#define GW_LOG_DEBUG(tag, ...) ::gw::log::Write(::gw::log::Level::kDebug, tag, __VA_ARGS__)
