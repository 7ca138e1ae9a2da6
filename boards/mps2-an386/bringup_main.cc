// TEMPORARY bring-up image, linked only while the gw_app target does not
// exist yet: proves the board HAL (UART, SysTick, WFI, LAN9118, storage,
// boot arguments, heap traps) with a minimal lwIP netif and a UDP echo on
// the SIP port. Replaced by main.cc as soon as firmware/app builds.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "board.h"
#include "gw/hal/cpu.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"
#include "registers.h"

namespace {

using gw::board::Board;

constexpr uint16_t kEchoPort = 5060;
constexpr size_t kLineMax = 80;

Board* g_board = nullptr;
netif g_netif;
uint8_t g_tx_frame[gw::hal::NetDevice::kMaxFrame];
uint32_t g_echoed = 0;

void Print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Print(const char* fmt, ...) {
  static char line[160];
  va_list args;
  va_start(args, fmt);
  const int n = std::vsnprintf(line, sizeof line, fmt, args);
  va_end(args);
  if (n > 0) {
    g_board->uart.WriteRaw(std::string_view(
        line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1));
  }
}

err_t LinkOutput(netif*, pbuf* p) {
  if (p->tot_len > sizeof g_tx_frame) return ERR_BUF;
  const uint16_t n = pbuf_copy_partial(p, g_tx_frame, p->tot_len, 0);
  const gw::Status s = g_board->eth.Transmit(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(g_tx_frame), n));
  return s.ok() ? ERR_OK : ERR_MEM;
}

err_t NetifInit(netif* nif) {
  const gw::hal::MacAddress mac = g_board->eth.Mac();
  std::memcpy(nif->hwaddr, mac.data(), mac.size());
  nif->hwaddr_len = ETH_HWADDR_LEN;
  nif->mtu = 1500;
  nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
  nif->output = etharp_output;
  nif->linkoutput = LinkOutput;
  nif->name[0] = 'e';
  nif->name[1] = '0';
  return ERR_OK;
}

void PollEthernet() {
  for (int budget = 0; budget < 16; ++budget) {
    pbuf* p = pbuf_alloc(PBUF_RAW, PBUF_POOL_BUFSIZE, PBUF_POOL);
    if (p == nullptr) return;
    auto r = g_board->eth.Receive(
        std::span<std::byte>(static_cast<std::byte*>(p->payload), p->len));
    if (!r.ok() || r.value() == 0) {
      pbuf_free(p);
      if (r.ok()) return;
      continue;
    }
    pbuf_realloc(p, static_cast<uint16_t>(r.value()));
    if (g_netif.input(p, &g_netif) != ERR_OK) pbuf_free(p);
  }
}

void EchoRecv(void*, udp_pcb* pcb, pbuf* p, const ip_addr_t* addr, u16_t port) {
  ++g_echoed;
  udp_sendto(pcb, p, addr, port);
  pbuf_free(p);
}

void PrintInfo() {
  const Board& b = *g_board;
  const auto& c = b.eth.Counters();
  Print("board %.*s, uptime %lu ms, idle %lu ms\r\n",
        static_cast<int>(gw::hal::BoardName().size()), gw::hal::BoardName().data(),
        static_cast<unsigned long>(b.clock.NowMs()),
        static_cast<unsigned long>(b.idler.IdleTicks()));
  Print("eth link %s rx %lu tx %lu rxerr %lu irqs %lu echoed %lu\r\n",
        b.eth.LinkUp() ? "up" : "down", static_cast<unsigned long>(c.rx_frames),
        static_cast<unsigned long>(c.tx_frames), static_cast<unsigned long>(c.rx_errors),
        static_cast<unsigned long>(c.irqs), static_cast<unsigned long>(g_echoed));
  Print("storage %s: config %u B @%p, users %u B @%p, cdr %u B @%p\r\n",
        b.storage.cold_start ? "cold (erased)" : "warm (kept)",
        static_cast<unsigned>(b.storage.config.Size()), static_cast<void*>(b.storage.config.Base()),
        static_cast<unsigned>(b.storage.users.Size()), static_cast<void*>(b.storage.users.Base()),
        static_cast<unsigned>(b.storage.cdr.Size()), static_cast<void*>(b.storage.cdr.Base()));
  Print("boot args: \"%.*s\"\r\n", static_cast<int>(b.boot_args.size()), b.boot_args.data());
}

void RunCommand(std::string_view cmd) {
  if (cmd == "info") {
    PrintInfo();
  } else if (cmd == "malloc") {
    void* volatile p = std::malloc(32);
    Print("malloc returned %p (should have trapped)\r\n", p);
  } else if (cmd == "new") {
    int* volatile p = new int(1);
    Print("new returned %p (should have trapped)\r\n", static_cast<void*>(p));
  } else if (cmd == "fault") {
    volatile uint32_t* bad = reinterpret_cast<volatile uint32_t*>(0xFFFF'FFF0u);
    *bad = 1;
  } else if (cmd == "reset") {
    gw::hal::CpuReset();
  } else if (cmd == "erase-test") {
    auto& r = g_board->storage.config;
    const std::byte ones[4] = {std::byte{0xF0}, std::byte{0x0F}, std::byte{0xFF}, std::byte{0}};
    std::byte back[4];
    r.EraseSector(0).IgnoreError();
    r.Program(0, ones).IgnoreError();
    r.Program(0, ones).IgnoreError();
    r.Read(0, back).IgnoreError();
    Print("program/readback %02x %02x %02x %02x\r\n", static_cast<unsigned>(back[0]),
          static_cast<unsigned>(back[1]), static_cast<unsigned>(back[2]),
          static_cast<unsigned>(back[3]));
  } else if (!cmd.empty()) {
    Print("commands: info malloc new fault reset erase-test\r\n");
  }
  Print("bringup> ");
}

void PollConsole() {
  static char line[kLineMax];
  static size_t len = 0;
  std::byte buf[32];
  const size_t n = g_board->uart.Read(buf);
  for (size_t i = 0; i < n; ++i) {
    const char c = static_cast<char>(buf[i]);
    if (c == '\r' || c == '\n') {
      g_board->uart.WriteRaw("\r\n");
      RunCommand(std::string_view(line, len));
      len = 0;
    } else if (len < kLineMax) {
      line[len++] = c;
      g_board->uart.WriteRaw(std::string_view(&c, 1));
    }
  }
}

}  // namespace

extern "C" {
uint32_t sys_now() { return gw::board::SysTickClock::Ticks(); }
void gw_lwip_diag(const char*, ...) {}
void gw_lwip_assert(const char* msg, const char*, int) { gw::hal::Panic(msg); }
uint32_t gw_lwip_rand() { return gw::board::EntropyPool::Draw(); }
}

int main() {
  Board& board = gw::board::InitBoard();
  g_board = &board;
  Print("\r\nimsgw bring-up image on %.*s (temporary main, gw_app not built yet)\r\n",
        static_cast<int>(gw::hal::BoardName().size()), gw::hal::BoardName().data());

  lwip_init();
  if (!board.eth.Start().ok()) gw::hal::Panic("LAN9118 not found");
  ip4_addr_t addr;
  ip4_addr_t mask;
  ip4_addr_t gw_addr;
  IP4_ADDR(&addr, 10, 0, 2, 15);
  IP4_ADDR(&mask, 255, 255, 255, 0);
  IP4_ADDR(&gw_addr, 10, 0, 2, 2);
  netif_add(&g_netif, &addr, &mask, &gw_addr, nullptr, NetifInit, ethernet_input);
  netif_set_default(&g_netif);
  netif_set_up(&g_netif);
  netif_set_link_up(&g_netif);

  udp_pcb* echo = udp_new();
  udp_bind(echo, IP_ANY_TYPE, kEchoPort);
  udp_recv(echo, EchoRecv, nullptr);

  PrintInfo();
  Print("UDP echo on port %u\r\nbringup> ", kEchoPort);
  while (true) {
    PollConsole();
    PollEthernet();
    sys_check_timeouts();
    const uint32_t next = sys_timeouts_sleeptime();
    board.idler.Idle(next < 100 ? next : 100);
  }
}
