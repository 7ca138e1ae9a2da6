#include "gw/host/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "gw/host/terminal.h"

namespace gw::host {
namespace {

void (*g_stop)() = nullptr;
int g_wake_write = -1;
volatile sig_atomic_t g_stopping = 0;

void StopHandler(int sig) {
  if (g_stopping) {
    // Second Ctrl-C: the loop did not come back; leave now.
    RestoreTerminal();
    _exit(128 + sig);
  }
  g_stopping = 1;
  if (g_stop != nullptr) g_stop();
  if (g_wake_write >= 0) {
    const char b = 1;
    ssize_t ignored = write(g_wake_write, &b, 1);
    (void)ignored;
  }
}

}  // namespace

int InstallStopSignals(void (*stop)()) {
  g_stop = stop;
  int fds[2];
  int wake_read = -1;
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
    wake_read = fds[0];
    g_wake_write = fds[1];
  }
  struct sigaction sa {};
  sa.sa_handler = StopHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  return wake_read;
}

}  // namespace gw::host
