#pragma once
// hal::Idler for host-sim: poll() on the TAP, stdin (while open) and a wake
// descriptor that signal handlers write to.
#include <cstdint>

#include "gw/hal/idle.h"

namespace gw::host {

class StdioConsole;
class TapDevice;

class PollIdler final : public hal::Idler {
 public:
  // on_console_closed, if set, is called once, from Idle(), when the
  // console's input has closed (host-sim --exit-on-eof stops the loop).
  PollIdler(TapDevice& tap, StdioConsole& console, int wake_fd = -1,
            void (*on_console_closed)() = nullptr);

 private:
  void DoIdle(uint32_t max_ms) override;

  TapDevice& tap_;
  StdioConsole& console_;
  int wake_fd_;
  void (*on_console_closed_)();
  bool reported_closed_ = false;
};

}  // namespace gw::host
