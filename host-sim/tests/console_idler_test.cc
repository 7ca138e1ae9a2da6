#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "gw/hal/cpu.h"
#include "gw/host/poll_idler.h"
#include "gw/host/stdio_console.h"
#include "gw/host/tap_device.h"

namespace gw::host {
namespace {

class Pipe {
 public:
  Pipe() { EXPECT_EQ(pipe(fds_), 0); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  int r() const { return fds_[0]; }
  int w() const { return fds_[1]; }
  void CloseRead() {
    if (fds_[0] >= 0) close(fds_[0]);
    fds_[0] = -1;
  }
  void CloseWrite() {
    if (fds_[1] >= 0) close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

TEST(StdioConsole, PipeInputIsReadWithoutBlockingUntilEof) {
  Pipe in;
  Pipe out;
  StdioConsole console(in.r(), out.w());
  EXPECT_FALSE(console.Interactive());
  std::byte buf[16];
  EXPECT_EQ(console.Read(buf), 0u);  // nothing pending: returns at once
  ASSERT_EQ(write(in.w(), "DSP SYSINFO\n", 12), 12);
  ASSERT_EQ(console.Read(buf), 12u);
  EXPECT_EQ(std::memcmp(buf, "DSP SYSINFO\n", 12), 0);
  EXPECT_FALSE(console.Closed());
  in.CloseWrite();
  EXPECT_EQ(console.Read(buf), 0u);
  EXPECT_TRUE(console.Closed());
  EXPECT_EQ(console.PollFd(), -1);

  const char text[] = "RETCODE = 0\n";
  console.Write(std::as_bytes(std::span(text, sizeof text - 1)));
  char got[32] = {};
  ASSERT_EQ(read(out.r(), got, sizeof got), 12);
  EXPECT_STREQ(got, text);
}

int g_closed_calls = 0;
void OnClosed() {
  ++g_closed_calls;
}

TEST(PollIdler, WakesOnInputAndReportsEofOnce) {
  Pipe in;
  Pipe wake;
  StdioConsole console(in.r(), 1);
  TapDevice tap("unused0", hal::MacAddress{});  // not started: fd -1
  PollIdler idler(tap, console, wake.r(), &OnClosed);

  auto elapsed_ms = [](auto start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  auto t0 = std::chrono::steady_clock::now();
  idler.Idle(30);  // nothing: the full timeout
  EXPECT_GE(elapsed_ms(t0), 25);

  ASSERT_EQ(write(in.w(), "x", 1), 1);
  t0 = std::chrono::steady_clock::now();
  idler.Idle(5000);  // console input: at once
  EXPECT_LT(elapsed_ms(t0), 1000);
  std::byte b[4];
  EXPECT_EQ(console.Read(b), 1u);

  ASSERT_EQ(write(wake.w(), "w", 1), 1);
  t0 = std::chrono::steady_clock::now();
  idler.Idle(5000);  // the signal wake pipe: at once, and drained
  EXPECT_LT(elapsed_ms(t0), 1000);

  in.CloseWrite();
  EXPECT_EQ(console.Read(b), 0u);
  ASSERT_TRUE(console.Closed());
  idler.Idle(5000);
  idler.Idle(10);
  EXPECT_EQ(g_closed_calls, 1);
}

TEST(HostCpu, PanicPrintsAndAborts) {
  EXPECT_DEATH(hal::Panic("pool users exhausted"), "PANIC: pool users exhausted");
}

TEST(HostCpu, ResetExitsWithCode3) {
  EXPECT_EXIT(hal::CpuReset(), ::testing::ExitedWithCode(3), "");
}

TEST(HostCpu, BoardName) {
  EXPECT_EQ(hal::BoardName(), "host-sim");
}

}  // namespace
}  // namespace gw::host
