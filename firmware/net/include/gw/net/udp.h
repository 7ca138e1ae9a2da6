#pragma once
// A UDP socket over lwIP's raw API. The receive path hands the handler a view
// of the datagram; the pbuf is freed when the handler returns.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gw/core/status.h"
#include "gw/net/address.h"
#include "lwip/udp.h"

namespace gw::net {

struct UdpStats {
  uint32_t rx = 0;
  uint32_t rx_too_big = 0;  // datagrams larger than kMaxDatagram, not taken
  uint32_t tx = 0;
  uint32_t tx_errors = 0;  // no pbuf / route / ARP queue
};

class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  void OnDatagram(std::span<const std::byte> data, const Endpoint& from) {
    DoOnDatagram(data, from);
  }
  // A datagram of total bytes, too large to take: head is its beginning
  // (kMaxDatagram bytes), enough for a service to refuse it. Ignored by
  // default (the socket counts it).
  void OnOversized(std::span<const std::byte> head, size_t total, const Endpoint& from) {
    DoOnOversized(head, total, from);
  }

 private:
  virtual void DoOnDatagram(std::span<const std::byte> data, const Endpoint& from) = 0;
  virtual void DoOnOversized(std::span<const std::byte> head, size_t total, const Endpoint& from) {
    (void)head;
    (void)total;
    (void)from;
  }
};

// What the SIP and other services send through; faked in tests.
class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // ResourceExhausted when no buffer is free; Unavailable when unroutable.
  Status SendTo(const Endpoint& to, std::span<const std::byte> data) { return DoSendTo(to, data); }

 private:
  virtual Status DoSendTo(const Endpoint& to, std::span<const std::byte> data) = 0;
};

class UdpSocket : public DatagramSender {
 public:
  // Largest datagram handed to a handler: a reassembled (chained) datagram
  // is gathered into a buffer of this size; of a larger one the handler
  // sees only the head (OnOversized).
  static constexpr size_t kMaxDatagram = 8192;

  UdpSocket() = default;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket() override;

  // AlreadyExists if the port is taken; ResourceExhausted if no PCB is free.
  Status Bind(uint16_t port, DatagramHandler& handler);
  void Close();
  const UdpStats& stats() const { return stats_; }
  uint16_t port() const { return port_; }

 private:
  Status DoSendTo(const Endpoint& to, std::span<const std::byte> data) override;
  static void Recv(void* arg, struct udp_pcb* pcb, struct pbuf* p, const ip_addr_t* addr,
                   u16_t port);

  struct udp_pcb* pcb_ = nullptr;
  DatagramHandler* handler_ = nullptr;
  uint16_t port_ = 0;
  UdpStats stats_;
};

}  // namespace gw::net
