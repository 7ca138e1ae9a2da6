#include "gw/host/host_clocks.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

namespace gw::host {
namespace {

uint64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace

HostMonotonicClock::HostMonotonicClock() : start_ms_(MonotonicMs()) {}

uint32_t HostMonotonicClock::DoNowMs() {
  return static_cast<uint32_t>(MonotonicMs() - start_ms_);
}

int64_t HostWallClock::DoNowUnixSeconds() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec);
}

Status HostEntropy::DoFill(std::span<std::byte> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t r = getrandom(out.data() + done, out.size() - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable();
    }
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

}  // namespace gw::host
