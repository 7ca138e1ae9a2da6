#include "gw/host/poll_idler.h"

#include <poll.h>
#include <unistd.h>

#include <climits>

#include "gw/host/stdio_console.h"
#include "gw/host/tap_device.h"

namespace gw::host {

PollIdler::PollIdler(TapDevice& tap, StdioConsole& console, int wake_fd,
                     void (*on_console_closed)())
    : tap_(tap), console_(console), wake_fd_(wake_fd), on_console_closed_(on_console_closed) {}

void PollIdler::DoIdle(uint32_t max_ms) {
  if (console_.PollFd() < 0 && !reported_closed_) {
    reported_closed_ = true;
    if (on_console_closed_ != nullptr) {
      on_console_closed_();
      return;
    }
  }
  pollfd fds[3];
  nfds_t n = 0;
  if (tap_.fd() >= 0) fds[n++] = {tap_.fd(), POLLIN, 0};
  if (console_.PollFd() >= 0) fds[n++] = {console_.PollFd(), POLLIN, 0};
  const int wake_index = static_cast<int>(n);
  if (wake_fd_ >= 0) fds[n++] = {wake_fd_, POLLIN, 0};
  int timeout = max_ms > static_cast<uint32_t>(INT_MAX) ? INT_MAX : static_cast<int>(max_ms);
  int r = poll(fds, n, timeout);
  if (r > 0 && wake_fd_ >= 0 && (fds[wake_index].revents & POLLIN)) {
    // One read: never blocks even if the descriptor is blocking; anything
    // left makes the next poll return at once and is drained then.
    char drain[64];
    ssize_t ignored = read(wake_fd_, drain, sizeof drain);
    (void)ignored;
  }
}

}  // namespace gw::host
