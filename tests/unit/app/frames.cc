#include "frames.h"

#include <cstring>

namespace gw::testing {
namespace {

void Put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
void Put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  Put16(v, at, static_cast<uint16_t>(x >> 16));
  Put16(v, at + 2, static_cast<uint16_t>(x));
}
uint16_t Get16(const std::vector<uint8_t>& v, size_t at) {
  return static_cast<uint16_t>(v[at] << 8 | v[at + 1]);
}
uint32_t Get32(const std::vector<uint8_t>& v, size_t at) {
  return static_cast<uint32_t>(Get16(v, at)) << 16 | Get16(v, at + 2);
}

}  // namespace

std::vector<uint8_t> UdpFrame(const Peer& from, const uint8_t to_mac[6], uint32_t to_ip,
                              uint16_t sport, uint16_t dport, std::string_view payload) {
  std::vector<uint8_t> f(14 + 20 + 8 + payload.size());
  std::memcpy(&f[0], to_mac, 6);
  std::memcpy(&f[6], from.mac, 6);
  Put16(f, 12, 0x0800);
  const size_t ip = 14;
  f[ip] = 0x45;
  Put16(f, ip + 2, static_cast<uint16_t>(20 + 8 + payload.size()));
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  Put32(f, ip + 12, from.ip);
  Put32(f, ip + 16, to_ip);
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += Get16(f, ip + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  Put16(f, ip + 10, static_cast<uint16_t>(~sum));
  const size_t udp = ip + 20;
  Put16(f, udp, sport);
  Put16(f, udp + 2, dport);
  Put16(f, udp + 4, static_cast<uint16_t>(8 + payload.size()));
  // UDP checksum 0: "not computed", allowed over IPv4.
  std::memcpy(&f[udp + 8], payload.data(), payload.size());
  return f;
}

std::optional<std::vector<uint8_t>> ArpReplyTo(const std::vector<uint8_t>& req, const Peer& from) {
  if (req.size() < 42 || Get16(req, 12) != 0x0806 || Get16(req, 20) != 1) return std::nullopt;
  if (Get32(req, 38) != from.ip) return std::nullopt;
  std::vector<uint8_t> f(42);
  std::memcpy(&f[0], &req[6], 6);
  std::memcpy(&f[6], from.mac, 6);
  Put16(f, 12, 0x0806);
  Put16(f, 14, 1);
  Put16(f, 16, 0x0800);
  f[18] = 6;
  f[19] = 4;
  Put16(f, 20, 2);
  std::memcpy(&f[22], from.mac, 6);
  Put32(f, 28, from.ip);
  std::memcpy(&f[32], &req[22], 6);  // the asker's MAC and IP
  std::memcpy(&f[38], &req[28], 4);
  return f;
}

std::optional<UdpSeen> ParseUdp(const std::vector<uint8_t>& f) {
  if (f.size() < 42 || Get16(f, 12) != 0x0800 || f[23] != 17) return std::nullopt;
  size_t ihl = (f[14] & 0x0F) * 4u;
  size_t udp = 14 + ihl;
  if (f.size() < udp + 8) return std::nullopt;
  size_t len = Get16(f, udp + 4);
  if (len < 8 || udp + len > f.size()) return std::nullopt;
  UdpSeen s{Get32(f, 26), Get32(f, 30), Get16(f, udp), Get16(f, udp + 2),
            std::string(reinterpret_cast<const char*>(&f[udp + 8]), len - 8)};
  return s;
}

std::vector<uint8_t> TcpFrame(const Peer& from, const uint8_t to_mac[6], uint32_t to_ip,
                              uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                              uint8_t flags, std::string_view payload) {
  const size_t tcp_len = 20 + payload.size();
  std::vector<uint8_t> f(14 + 20 + tcp_len);
  std::memcpy(&f[0], to_mac, 6);
  std::memcpy(&f[6], from.mac, 6);
  Put16(f, 12, 0x0800);
  const size_t ip = 14;
  f[ip] = 0x45;
  Put16(f, ip + 2, static_cast<uint16_t>(20 + tcp_len));
  f[ip + 8] = 64;
  f[ip + 9] = 6;
  Put32(f, ip + 12, from.ip);
  Put32(f, ip + 16, to_ip);
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += Get16(f, ip + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  Put16(f, ip + 10, static_cast<uint16_t>(~sum));
  const size_t tcp = ip + 20;
  Put16(f, tcp, sport);
  Put16(f, tcp + 2, dport);
  Put32(f, tcp + 4, seq);
  Put32(f, tcp + 8, ack);
  f[tcp + 12] = 5 << 4;  // 20-byte header
  f[tcp + 13] = flags;
  Put16(f, tcp + 14, 8192);  // window
  if (!payload.empty()) std::memcpy(&f[tcp + 20], payload.data(), payload.size());
  // Checksum over the pseudo header (addresses, protocol, length) and the
  // segment, padded to an even length.
  sum = (from.ip >> 16) + (from.ip & 0xFFFF) + (to_ip >> 16) + (to_ip & 0xFFFF) + 6 +
        static_cast<uint32_t>(tcp_len);
  for (size_t i = 0; i + 1 < tcp_len; i += 2) sum += Get16(f, tcp + i);
  if (tcp_len % 2 != 0) sum += static_cast<uint32_t>(f[tcp + tcp_len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  Put16(f, tcp + 16, static_cast<uint16_t>(~sum));
  return f;
}

std::optional<TcpSeen> ParseTcp(const std::vector<uint8_t>& f) {
  if (f.size() < 54 || Get16(f, 12) != 0x0800 || f[23] != 6) return std::nullopt;
  const size_t ihl = (f[14] & 0x0F) * 4u;
  const size_t tcp = 14 + ihl;
  const size_t total = 14 + Get16(f, 16);
  if (f.size() < tcp + 20 || total > f.size()) return std::nullopt;
  const size_t off = (f[tcp + 12] >> 4) * 4u;
  if (tcp + off > total) return std::nullopt;
  TcpSeen s{Get32(f, 26),
            Get32(f, 30),
            Get16(f, tcp),
            Get16(f, tcp + 2),
            Get32(f, tcp + 4),
            Get32(f, tcp + 8),
            f[tcp + 13],
            std::string(reinterpret_cast<const char*>(&f[tcp + off]), total - tcp - off)};
  return s;
}

}  // namespace gw::testing
