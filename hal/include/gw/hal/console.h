#pragma once
// The operator's byte stream: a UART on boards, stdin/stdout in host-sim.
#include <cstddef>
#include <span>

namespace gw::hal {

class Console {
 public:
  virtual ~Console() = default;
  // Copies up to out.size() pending input bytes; never blocks. Returns the
  // number copied (0 when nothing is pending).
  size_t Read(std::span<std::byte> out) { return DoRead(out); }
  // Writes every byte (may block briefly on a UART).
  void Write(std::span<const std::byte> bytes) { DoWrite(bytes); }
  // True once the input has closed for good (host-sim: EOF on stdin).
  bool Closed() { return DoClosed(); }
  // True when a person types on it (a TTY, a UART): the shell echoes and
  // edits lines. False for piped input: no echo, plain lines.
  bool Interactive() { return DoInteractive(); }

 private:
  virtual size_t DoRead(std::span<std::byte> out) = 0;
  virtual void DoWrite(std::span<const std::byte> bytes) = 0;
  virtual bool DoClosed() { return false; }
  virtual bool DoInteractive() { return true; }
};

}  // namespace gw::hal
