#include <csignal>
#include <new>

#include "gw/app/gateway.h"
#include "gw/app/platform.h"

namespace gw::app {
namespace {

volatile std::sig_atomic_t g_stop = 0;  // set from signal handlers
// The one Gateway of the process, in static storage.
alignas(Gateway) std::byte g_gateway_storage[sizeof(Gateway)];

}  // namespace

void RequestStop() {
  g_stop = 1;
}

int Run(Platform& platform) {
  Gateway* gw = new (g_gateway_storage) Gateway(platform);
  Status started = gw->Start();
  if (!started.ok()) {
    gw->~Gateway();
    return 1;
  }
  while (g_stop == 0) gw->RunOnce();
  gw->~Gateway();
  return 0;
}

}  // namespace gw::app
