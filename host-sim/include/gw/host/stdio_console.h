#pragma once
// hal::Console on stdin/stdout. Reads never block (poll with a zero timeout
// before each read, so the terminal's file flags are left alone); writes are
// complete. EOF on stdin makes Closed() true for good.
#include <cstddef>
#include <span>

#include "gw/hal/console.h"

namespace gw::host {

class StdioConsole final : public hal::Console {
 public:
  StdioConsole(int in_fd = 0, int out_fd = 1);

  // The descriptor the idler should poll, or -1 once input has closed.
  int PollFd() const { return closed_ ? -1 : in_fd_; }

 private:
  size_t DoRead(std::span<std::byte> out) override;
  void DoWrite(std::span<const std::byte> bytes) override;
  bool DoClosed() override { return closed_; }
  bool DoInteractive() override { return interactive_; }

  int in_fd_;
  int out_fd_;
  bool interactive_;
  bool closed_ = false;
};

}  // namespace gw::host
