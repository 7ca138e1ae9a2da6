#pragma once
// The controlling terminal of host-sim: raw mode for the console while the
// gateway runs, restored on every exit path (normal stop, signal, panic,
// CpuReset). Process-wide by nature (one stdin), so these are free functions.

namespace gw::host {

// If stdin is a TTY, saves its settings and switches it to raw input: no
// echo, no canonical mode, no CR->NL mapping, no flow control; signals
// (Ctrl-C) and output processing (\n -> \r\n) stay on. Returns true if the
// terminal was changed. Registers the restore with atexit.
bool EnterRawMode();

// Puts back the settings saved by EnterRawMode(). Idempotent and
// async-signal-safe (tcsetattr only), so signal handlers may call it.
void RestoreTerminal();

// Installs handlers for fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
// SIGABRT) that restore the terminal and then re-raise with the default
// action, and ignores SIGPIPE.
void InstallCrashHandlers();

}  // namespace gw::host
