#pragma once
// How the event loop waits when it has nothing to do. Injected so that CPU
// load can be measured and tests can advance a fake clock instead.
#include <cstdint>

namespace gw::hal {

class Idler {
 public:
  virtual ~Idler() = default;
  // Waits until input may be pending (interrupt, readable descriptor) or
  // max_ms pass, whichever comes first.
  void Idle(uint32_t max_ms) { DoIdle(max_ms); }

 private:
  virtual void DoIdle(uint32_t max_ms) = 0;
};

}  // namespace gw::hal
