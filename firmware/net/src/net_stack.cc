#include "gw/net/net_stack.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "gw/core/log.h"
#include "gw/hal/cpu.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

namespace gw::net {
namespace {

hal::MonotonicClock* g_clock = nullptr;  // lwIP's sys_now() source
uint32_t g_rand_state = 0x2545F491u;

// Scratch for frames that must be drained while the pbuf pool is empty, and
// for gathering chained pbufs into one frame on transmit.
std::byte g_scratch[hal::NetDevice::kMaxFrame];

ip4_addr_t ToLwip(const Ip4& a) {
  ip4_addr_t out;
  IP4_ADDR(&out, a[0], a[1], a[2], a[3]);
  return out;
}

}  // namespace

void SetLwipClock(hal::MonotonicClock* clock) {
  g_clock = clock;
}

NetStack::NetStack(hal::NetDevice& device, hal::MonotonicClock& clock) : device_(device) {
  SetLwipClock(&clock);
  g_rand_state ^= clock.NowMs();
}

Status NetStack::Start(const Ip4Config& config) {
  if (started_) return Status::FailedPrecondition();
  GW_TRY(device_.Start());
  // lwIP's state is process-wide: initialise it once, even if a stack is
  // torn down and built again (host tests do).
  static bool lwip_ready = false;
  if (!lwip_ready) {
    lwip_init();
    lwip_ready = true;
  }
  ip4_addr_t ip = ToLwip(config.address);
  ip4_addr_t mask = ToLwip(config.netmask);
  ip4_addr_t gw = ToLwip(config.gateway);
  if (netif_add(&netif_, &ip, &mask, &gw, this, &NetStack::NetifInit, &ethernet_input) == nullptr) {
    return Status::Internal();
  }
  netif_set_default(&netif_);
  netif_set_link_up(&netif_);
  netif_set_up(&netif_);
  started_ = true;
  GW_LOG_INFO("net", "up %u.%u.%u.%u/%u.%u.%u.%u gw %u.%u.%u.%u", config.address[0],
              config.address[1], config.address[2], config.address[3], config.netmask[0],
              config.netmask[1], config.netmask[2], config.netmask[3], config.gateway[0],
              config.gateway[1], config.gateway[2], config.gateway[3]);
  return Status::Ok();
}

NetStack::~NetStack() {
  if (started_) netif_remove(&netif_);
}

Ip4 NetStack::address() const {
  uint32_t a = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&netif_)));
  return {static_cast<uint8_t>(a >> 24), static_cast<uint8_t>(a >> 16),
          static_cast<uint8_t>(a >> 8), static_cast<uint8_t>(a)};
}

err_t NetStack::NetifInit(struct netif* netif) {
  auto* self = static_cast<NetStack*>(netif->state);
  hal::MacAddress mac = self->device_.Mac();
  netif->hwaddr_len = ETH_HWADDR_LEN;
  std::memcpy(netif->hwaddr, mac.data(), ETH_HWADDR_LEN);
  netif->mtu = 1500;
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  netif->name[0] = 'e';
  netif->name[1] = 'n';
  netif->output = etharp_output;
  netif->linkoutput = &NetStack::LinkOutput;
  return ERR_OK;
}

err_t NetStack::LinkOutput(struct netif* netif, struct pbuf* p) {
  auto* self = static_cast<NetStack*>(netif->state);
  if (p->tot_len > sizeof(g_scratch)) {
    ++self->stats_.tx_too_big;
    return ERR_BUF;
  }
  std::span<const std::byte> frame;
  if (p->next == nullptr) {
    frame = {static_cast<const std::byte*>(p->payload), p->len};
  } else {
    pbuf_copy_partial(p, g_scratch, p->tot_len, 0);
    frame = {g_scratch, p->tot_len};
  }
  if (!self->device_.Transmit(frame).ok()) {
    ++self->stats_.tx_errors;
    return ERR_IF;
  }
  ++self->stats_.tx_frames;
  return ERR_OK;
}

void NetStack::DoPoll() {
  if (!started_) return;
  for (int i = 0; i < kMaxFramesPerPoll; ++i) {
    struct pbuf* p = pbuf_alloc(PBUF_RAW, hal::NetDevice::kMaxFrame, PBUF_POOL);
    if (p != nullptr && p->next != nullptr) {  // pool buffers too small
      pbuf_free(p);
      p = nullptr;
    }
    std::span<std::byte> into =
        p != nullptr ? std::span<std::byte>(static_cast<std::byte*>(p->payload), p->len)
                     : std::span<std::byte>(g_scratch);
    Result<size_t> got = device_.Receive(into);
    if (!got.ok()) {
      ++stats_.rx_errors;
      if (p != nullptr) pbuf_free(p);
      continue;
    }
    if (*got == 0) {
      if (p != nullptr) pbuf_free(p);
      break;
    }
    if (p == nullptr) {
      ++stats_.rx_no_pbuf;  // drained so the device does not wedge
      continue;
    }
    ++stats_.rx_frames;
    pbuf_realloc(p, static_cast<u16_t>(*got));
    if (netif_.input(p, &netif_) != ERR_OK) pbuf_free(p);
  }
  sys_check_timeouts();
}

}  // namespace gw::net

extern "C" {

u32_t sys_now(void) {
  return gw::net::g_clock != nullptr ? gw::net::g_clock->NowMs() : 0;
}

void gw_lwip_diag(const char* fmt, ...) {
  char line[96];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(line, sizeof(line), fmt, args);
  va_end(args);
  GW_LOG_DEBUG("lwip", "%s", line);
}

void gw_lwip_assert(const char* msg, const char* file, int line) {
  char text[160];
  std::snprintf(text, sizeof(text), "lwIP assert: %s (%s:%d)", msg, file, line);
  gw::hal::Panic(text);
}

// Used by lwIP for initial sequence numbers and ports: xorshift, reseeded
// from the clock; not for anything secret (the DRBG is).
u32_t gw_lwip_rand(void) {
  uint32_t x = gw::net::g_rand_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  gw::net::g_rand_state = x;
  return x;
}

}  // extern "C"
