#pragma once
// SIGINT/SIGTERM handling for host-sim: the handler calls a stop function
// (gw::app::RequestStop) and writes a byte to a wake pipe so that a poll()
// in progress returns at once. A second signal while stopping exits at once
// (terminal restored).

namespace gw::host {

// Installs the handlers. stop must be async-signal-safe. Returns the read
// end of the wake pipe for the idler (-1 if the pipe could not be made).
int InstallStopSignals(void (*stop)());

}  // namespace gw::host
