#include "gw/host/terminal.h"

#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <initializer_list>

namespace gw::host {
namespace {

// Written once before the handlers that read it can run; read from signal
// handlers, hence volatile sig_atomic_t for the flag.
termios g_saved;
volatile sig_atomic_t g_saved_valid = 0;

void CrashHandler(int sig) {
  RestoreTerminal();
  // SA_RESETHAND put the default action back: re-raise for the core dump /
  // the right exit status.
  raise(sig);
}

}  // namespace

bool EnterRawMode() {
  if (!isatty(STDIN_FILENO)) return false;
  termios t;
  if (tcgetattr(STDIN_FILENO, &t) != 0) return false;
  g_saved = t;
  g_saved_valid = 1;
  atexit(RestoreTerminal);
  t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
  t.c_lflag |= ISIG;           // Ctrl-C stops host-sim cleanly
  t.c_oflag |= OPOST | ONLCR;  // "\n" still starts a new line
  t.c_cflag &= ~(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  return tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
}

void RestoreTerminal() {
  if (g_saved_valid) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
    g_saved_valid = 0;
  }
}

void InstallCrashHandlers() {
  struct sigaction sa {};
  sa.sa_handler = CrashHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) {
    sigaction(sig, &sa, nullptr);
  }
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
}

}  // namespace gw::host
