#include "gw/net/udp.h"

#include <cstring>

#include "gw/core/log.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

namespace gw::net {
namespace {

// Gathers a chained (reassembled) datagram; one at a time, single thread.
std::byte g_gather[UdpSocket::kMaxDatagram];

}  // namespace

UdpSocket::~UdpSocket() {
  Close();
}

Status UdpSocket::Bind(uint16_t port, DatagramHandler& handler) {
  if (pcb_ != nullptr) return Status::FailedPrecondition();
  pcb_ = udp_new();
  if (pcb_ == nullptr) return Status::ResourceExhausted();
  if (udp_bind(pcb_, IP_ADDR_ANY, port) != ERR_OK) {
    udp_remove(pcb_);
    pcb_ = nullptr;
    return Status::AlreadyExists();
  }
  handler_ = &handler;
  port_ = port;
  udp_recv(pcb_, &UdpSocket::Recv, this);
  return Status::Ok();
}

void UdpSocket::Close() {
  if (pcb_ != nullptr) {
    udp_remove(pcb_);
    pcb_ = nullptr;
  }
}

// Owns p and frees it on every path.
void UdpSocket::Recv(void* arg, struct udp_pcb* pcb, struct pbuf* p, const ip_addr_t* addr,
                     u16_t port) {
  (void)pcb;
  auto* self = static_cast<UdpSocket*>(arg);
  const Endpoint from{lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr))), port};
  if (p->tot_len > kMaxDatagram) {
    ++self->stats_.rx_too_big;
    GW_LOG_DEBUG("udp", "%u-byte datagram on port %u: too big", p->tot_len, self->port_);
    const u16_t head = pbuf_copy_partial(p, g_gather, kMaxDatagram, 0);
    self->handler_->OnOversized({g_gather, head}, p->tot_len, from);
    pbuf_free(p);
    return;
  }
  ++self->stats_.rx;
  std::span<const std::byte> data;
  if (p->next == nullptr) {
    data = {static_cast<const std::byte*>(p->payload), p->len};
  } else {
    pbuf_copy_partial(p, g_gather, p->tot_len, 0);
    data = {g_gather, p->tot_len};
  }
  self->handler_->OnDatagram(data, from);
  pbuf_free(p);
}

Status UdpSocket::DoSendTo(const Endpoint& to, std::span<const std::byte> data) {
  if (pcb_ == nullptr) return Status::FailedPrecondition();
  if (data.size() > 0xFFFF) return Status::OutOfRange();
  struct pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
  if (p == nullptr) {
    ++stats_.tx_errors;
    return Status::ResourceExhausted();
  }
  pbuf_take(p, data.data(), static_cast<u16_t>(data.size()));
  ip_addr_t dst;
  IP_ADDR4(&dst, (to.addr >> 24) & 0xFF, (to.addr >> 16) & 0xFF, (to.addr >> 8) & 0xFF,
           to.addr & 0xFF);
  err_t err = udp_sendto(pcb_, p, &dst, to.port);
  pbuf_free(p);
  if (err != ERR_OK) {
    ++stats_.tx_errors;
    return err == ERR_MEM ? Status::ResourceExhausted() : Status::Unavailable();
  }
  ++stats_.tx;
  return Status::Ok();
}

}  // namespace gw::net
