#include "gw/host/stdio_console.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

namespace gw::host {

StdioConsole::StdioConsole(int in_fd, int out_fd)
    : in_fd_(in_fd), out_fd_(out_fd), interactive_(isatty(in_fd) == 1) {}

size_t StdioConsole::DoRead(std::span<std::byte> out) {
  if (closed_ || out.empty()) return 0;
  pollfd p{in_fd_, POLLIN, 0};
  int n = poll(&p, 1, 0);
  if (n <= 0) return 0;
  if ((p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) == 0) return 0;
  if (p.revents & POLLNVAL) {
    closed_ = true;
    return 0;
  }
  ssize_t r = read(in_fd_, out.data(), out.size());
  if (r > 0) return static_cast<size_t>(r);
  if (r == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
    closed_ = true;  // EOF, or input gone (EIO: terminal hung up)
  }
  return 0;
}

void StdioConsole::DoWrite(std::span<const std::byte> bytes) {
  const std::byte* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t w = write(out_fd_, p, left);
    if (w > 0) {
      p += w;
      left -= static_cast<size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd q{out_fd_, POLLOUT, 0};
      poll(&q, 1, 100);
    } else {
      return;  // stdout gone (EPIPE, closed): output is dropped
    }
  }
}

}  // namespace gw::host
