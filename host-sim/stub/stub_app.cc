// A stand-in for gw::app::Run, built only while the firmware's gw_app
// target does not exist yet. It proves the host HAL end to end without lwIP:
// answers ARP and ICMP echo for the configured address on the TAP, and
// echoes console lines. Remove once gw_app is in the tree.
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <cstddef>
#include <cstdint>

#include "gw/app/platform.h"
#include "gw/hal/cpu.h"

namespace gw::app {
namespace {

volatile sig_atomic_t g_stop = 0;

uint16_t Checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t{p[i]} << 8) | p[i + 1];
  if (n & 1) sum += uint32_t{p[n - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Rewrites frame (length n) into its reply in place; returns the reply length
// or 0 when there is nothing to answer.
size_t Answer(uint8_t* f, size_t n, const hal::MacAddress& mac, const Ip4& ip) {
  if (n < 14) return 0;
  const uint16_t type = static_cast<uint16_t>((f[12] << 8) | f[13]);
  if (type == 0x0806 && n >= 42 && f[20] == 0 && f[21] == 1 &&
      memcmp(f + 38, ip.data(), 4) == 0) {  // ARP request for us
    memcpy(f, f + 6, 6);
    memcpy(f + 6, mac.data(), 6);
    f[21] = 2;
    uint8_t sha[6], spa[4];
    memcpy(sha, f + 22, 6);
    memcpy(spa, f + 28, 4);
    memcpy(f + 22, mac.data(), 6);
    memcpy(f + 28, ip.data(), 4);
    memcpy(f + 32, sha, 6);
    memcpy(f + 38, spa, 4);
    return 42;
  }
  if (type == 0x0800 && n >= 34) {
    uint8_t* iph = f + 14;
    const size_t ihl = (iph[0] & 0x0F) * 4u;
    const size_t total = static_cast<size_t>((iph[2] << 8) | iph[3]);
    if (iph[9] != 1 || memcmp(iph + 16, ip.data(), 4) != 0 ||
        14 + total > n || total < ihl + 8) {
      return 0;
    }
    uint8_t* icmp = iph + ihl;
    if (icmp[0] != 8) return 0;  // echo request only
    icmp[0] = 0;
    icmp[2] = icmp[3] = 0;
    const uint16_t c = Checksum(icmp, total - ihl);
    icmp[2] = static_cast<uint8_t>(c >> 8);
    icmp[3] = static_cast<uint8_t>(c);
    uint8_t tmp[4];
    memcpy(tmp, iph + 12, 4);
    memcpy(iph + 12, iph + 16, 4);
    memcpy(iph + 16, tmp, 4);
    iph[8] = 64;
    iph[10] = iph[11] = 0;
    const uint16_t h = Checksum(iph, ihl);
    iph[10] = static_cast<uint8_t>(h >> 8);
    iph[11] = static_cast<uint8_t>(h);
    memcpy(f, f + 6, 6);
    memcpy(f + 6, mac.data(), 6);
    return 14 + total;
  }
  return 0;
}

void Say(hal::Console& console, const char* text) {
  console.Write(std::as_bytes(std::span(text, strlen(text))));
}

}  // namespace

void RequestStop() { g_stop = 1; }

int Run(Platform& p) {
  if (!p.net.Start().ok()) return 1;
  Say(p.console, "imsgw host-sim (stub app: ARP + ping only)\n");
  static std::byte frame[hal::NetDevice::kMaxFrame];
  static char line[256];
  size_t line_len = 0;
  const hal::MacAddress mac = p.net.Mac();
  while (!g_stop) {
    for (;;) {
      Result<size_t> r = p.net.Receive(frame);
      if (!r.ok() || *r == 0) break;
      const size_t reply = Answer(reinterpret_cast<uint8_t*>(frame), *r, mac,
                                  p.net_config.address);
      if (reply > 0) p.net.Transmit(std::span(frame, reply)).IgnoreError();
    }
    std::byte in[64];
    const size_t got = p.console.Read(in);
    for (size_t i = 0; i < got; ++i) {
      const char c = static_cast<char>(in[i]);
      if (c == '\r' || c == '\n') {
        line[line_len] = '\0';
        if (line_len > 0) {
          Say(p.console, "stub: ");
          Say(p.console, line);
          Say(p.console, "\n");
        }
        line_len = 0;
      } else if (line_len + 1 < sizeof line) {
        line[line_len++] = c;
      }
    }
    if (got == 0) p.idler.Idle(1000);
  }
  Say(p.console, "stopped\n");
  return 0;
}

}  // namespace gw::app
