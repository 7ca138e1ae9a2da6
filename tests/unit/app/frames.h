#pragma once
// Builds and reads Ethernet/IPv4/UDP, TCP and ARP frames for driving a Gateway
// through a FakeNetDevice.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::testing {

struct Peer {
  uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  uint32_t ip = 0;  // host order
};

std::vector<uint8_t> UdpFrame(const Peer& from, const uint8_t to_mac[6], uint32_t to_ip,
                              uint16_t sport, uint16_t dport, std::string_view payload);
// An ARP reply from `from` to the target that asked (used to answer the
// gateway's ARP request), or nullopt if frame is not an ARP request.
std::optional<std::vector<uint8_t>> ArpReplyTo(const std::vector<uint8_t>& frame, const Peer& from);

struct UdpSeen {
  uint32_t src_ip, dst_ip;
  uint16_t sport, dport;
  std::string payload;
};
std::optional<UdpSeen> ParseUdp(const std::vector<uint8_t>& frame);

// TCP segment flags.
inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

// A TCP segment without options, checksummed.
std::vector<uint8_t> TcpFrame(const Peer& from, const uint8_t to_mac[6], uint32_t to_ip,
                              uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                              uint8_t flags, std::string_view payload = {});

struct TcpSeen {
  uint32_t src_ip, dst_ip;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  std::string payload;
};
std::optional<TcpSeen> ParseTcp(const std::vector<uint8_t>& frame);

}  // namespace gw::testing
