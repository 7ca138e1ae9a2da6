#include "gw/host/tap_device.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>  // before linux/if_tun.h: it brings struct ifreq
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace gw::host {

TapDevice::TapDevice(std::string_view name, const hal::MacAddress& mac) : mac_(mac) {
  size_t n = std::min(name.size(), kMaxName);
  memcpy(name_, name.data(), n);
  name_[n] = '\0';
  if (std::all_of(mac_.begin(), mac_.end(), [](uint8_t b) { return b == 0; })) {
    mac_ = MacFromName(name_);
  }
}

TapDevice::~TapDevice() {
  if (fd_ >= 0) close(fd_);
}

hal::MacAddress TapDevice::MacFromName(std::string_view name) {
  // FNV-1a, 64 bits; five bytes of it after the 02 prefix.
  uint64_t h = 1469598103934665603ull;
  for (char c : name) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  hal::MacAddress mac{};
  mac[0] = 0x02;  // locally administered, unicast
  for (int i = 1; i < 6; ++i) {
    mac[i] = static_cast<uint8_t>(h >> (8 * (i - 1)));
  }
  return mac;
}

Status TapDevice::DoStart() {
  if (fd_ >= 0) return Status::Ok();
  error_[0] = '\0';
  // Only attach: TUNSETIFF would create a missing interface when we have
  // CAP_NET_ADMIN, and a gateway that silently makes its own TAP with no
  // address on the host side is a trap.
  if (name_[0] == '\0' || if_nametoindex(name_) == 0) {
    snprintf(error_, sizeof error_, "TAP %s not found: run sudo tools/net-setup.sh up --user $USER",
             name_);
    return Status::NotFound();
  }
  char path[64];
  snprintf(path, sizeof path, "/sys/class/net/%s/tun_flags", name_);
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(error_, sizeof error_, "%s exists but is not a TAP device", name_);
    return Status::FailedPrecondition();
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(error_, sizeof error_, "cannot open /dev/net/tun: %s%s", strerror(errno),
             errno == EACCES ? " (it must be mode 0666, or run as root)" : "");
    return Status::Unavailable();
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, name_, strlen(name_));
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int e = errno;
    const char* hint = "";
    if (e == EPERM) {
      hint =
          " (the TAP belongs to another user: sudo tools/net-setup.sh up "
          "--user $USER)";
    } else if (e == EBUSY) {
      hint = " (already in use: is another host-sim running?)";
    } else if (e == EINVAL) {
      hint = " (is it a TUN device rather than a TAP?)";
    }
    snprintf(error_, sizeof error_, "cannot attach to TAP %s: %s%s", name_, strerror(e), hint);
    close(fd);
    return Status::Unavailable();
  }
  fd_ = fd;
  return Status::Ok();
}

Result<size_t> TapDevice::DoReceive(std::span<std::byte> out) {
  if (fd_ < 0) return Status::FailedPrecondition();
  for (;;) {
    ssize_t r = read(fd_, rx_buf_, sizeof rx_buf_);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return size_t{0};
      return Status::Unavailable();
    }
    size_t n = static_cast<size_t>(r);
    if (n > out.size()) {
      ++counters_.rx_oversize;
      return Status::OutOfRange();
    }
    memcpy(out.data(), rx_buf_, n);
    ++counters_.rx_frames;
    return n;
  }
}

Status TapDevice::DoTransmit(std::span<const std::byte> frame) {
  if (fd_ < 0) return Status::FailedPrecondition();
  if (frame.size() > kMaxFrame) {
    ++counters_.tx_dropped;
    return Status::InvalidArgument();
  }
  for (;;) {
    ssize_t w = write(fd_, frame.data(), frame.size());
    if (w == static_cast<ssize_t>(frame.size())) {
      ++counters_.tx_frames;
      return Status::Ok();
    }
    if (w < 0 && errno == EINTR) continue;
    ++counters_.tx_dropped;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      return Status::ResourceExhausted();
    }
    // EIO: the interface is down (no carrier). The frame is lost, as on a
    // real NIC with the cable out; lwIP retransmits where it matters.
    return Status::Unavailable();
  }
}

}  // namespace gw::host
