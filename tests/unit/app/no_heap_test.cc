// Proves the steady state allocates nothing: a SIP request answered over the
// network path (frame in, lwIP, SIP, frame out) and an MML command on the
// console, with every malloc/calloc/realloc called from the firmware's
// objects (wrapped at link time) and every operator new counted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "frames.h"
#include "gw/app/gateway.h"
#include "gw/testing/fake_hal.h"

namespace {
bool g_armed = false;
int g_allocations = 0;
}  // namespace

extern "C" {
void* __real_malloc(size_t n);
void* __real_calloc(size_t n, size_t m);
void* __real_realloc(void* p, size_t n);
void* __wrap_malloc(size_t n) {
  if (g_armed) ++g_allocations;
  return __real_malloc(n);
}
void* __wrap_calloc(size_t n, size_t m) {
  if (g_armed) ++g_allocations;
  return __real_calloc(n, m);
}
void* __wrap_realloc(void* p, size_t n) {
  if (g_armed) ++g_allocations;
  return __real_realloc(p, n);
}
}

void* operator new(size_t n) {
  if (g_armed) ++g_allocations;
  void* p = __real_malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}
void* operator new[](size_t n) {
  return operator new(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, size_t) noexcept {
  std::free(p);
}

namespace gw::app {
namespace {

using testing::FakeClock;
using testing::Peer;

constexpr uint32_t kGatewayIp = net::MakeIp4(198, 51, 100, 2);
constexpr uint32_t kPhoneIp = net::MakeIp4(198, 51, 100, 1);

struct Rig {
  FakeClock clock;
  testing::FakeWallClock wall;
  testing::FakeIdler idler{clock};
  testing::FakeConsole console;
  testing::FakeEntropy entropy;
  testing::FakeNetDevice net;
  testing::RamStorage config{4096, 2};
  testing::RamStorage users{4096, 16};
  testing::RamStorage cdr{4096, 4};
  Platform platform{clock,   wall,
                    idler,   console,
                    entropy, net,
                    config,  users,
                    cdr,     NetConfig{{198, 51, 100, 2}, {255, 255, 255, 0}, {198, 51, 100, 1}},
                    ""};
  std::unique_ptr<Gateway> gw;
  Peer phone{{0x02, 0, 0, 0, 0, 0x01}, kPhoneIp};

  void Step(int n = 5) {
    for (int i = 0; i < n; ++i) gw->RunOnce();
  }
  // Sends an OPTIONS from the phone and returns the gateway's UDP answer,
  // answering an ARP request on the way if the gateway asks.
  std::string Options(int cseq) {
    std::string msg =
        "OPTIONS sip:198.51.100.2 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-" +
        std::to_string(cseq) +
        ";rport\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:probe@198.51.100.1>;tag=abc\r\n"
        "To: <sip:198.51.100.2>\r\n"
        "Call-ID: nh-" +
        std::to_string(cseq) +
        "@198.51.100.1\r\n"
        "CSeq: " +
        std::to_string(cseq) +
        " OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n";
    auto frame = testing::UdpFrame(phone, net.mac.data(), kGatewayIp, 5061, 5060, msg);
    net.ClearSent();
    EXPECT_TRUE(net.Inject(frame.data(), frame.size()));
    Step();
    for (size_t i = 0; i < net.sent_count(); ++i) {
      if (auto arp = testing::ArpReplyTo(net.sent(i), phone)) {
        net.ClearSent();
        EXPECT_TRUE(net.Inject(arp->data(), arp->size()));
        Step();
        break;
      }
    }
    for (size_t i = 0; i < net.sent_count(); ++i) {
      if (auto udp = testing::ParseUdp(net.sent(i))) return udp->payload;
    }
    return {};
  }
  std::string Console(const std::string& line) {
    console.output.clear();
    console.input += line + "\r\n";
    Step();
    return console.output;
  }
};

TEST(NoHeap, SipAndConsoleCommandAllocateNothing) {
  Rig rig;
  rig.gw = std::make_unique<Gateway>(rig.platform);
  ASSERT_TRUE(rig.gw->Start().ok());
  rig.Step();
  // Warm up: ARP resolution and first-use paths.
  ASSERT_NE(rig.Options(1).find("SIP/2.0 200 OK"), std::string::npos);
  ASSERT_NE(rig.Console("DSP SYSINFO").find("RETCODE = 0"), std::string::npos);
  ASSERT_NE(rig.Console("DSP USER").find("RETCODE = 0"), std::string::npos);

  // Test-side strings are built before arming.
  std::string reply;
  reply.reserve(4096);
  std::string out;
  out.reserve(1 << 16);
  rig.console.output.reserve(1 << 16);
  rig.console.input.reserve(256);

  g_allocations = 0;
  g_armed = true;
  rig.console.input += "DSP SYSINFO\r\nDSP USER\r\n";
  rig.Step();
  g_armed = false;
  EXPECT_NE(rig.console.output.find("RETCODE = 0"), std::string::npos);
  EXPECT_NE(rig.console.output.find("1003"), std::string::npos) << "first-boot users listed";
  EXPECT_EQ(g_allocations, 0) << "an MML command allocated";

  // The SIP path: build the frame first, then arm around the loop only.
  std::string msg =
      "OPTIONS sip:198.51.100.2 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-2;rport\r\n"
      "From: <sip:probe@198.51.100.1>;tag=abc\r\nTo: <sip:198.51.100.2>\r\n"
      "Call-ID: nh-2@198.51.100.1\r\nCSeq: 2 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  auto frame = testing::UdpFrame(rig.phone, rig.net.mac.data(), kGatewayIp, 5061, 5060, msg);
  rig.net.ClearSent();
  ASSERT_TRUE(rig.net.Inject(frame.data(), frame.size()));
  g_allocations = 0;
  g_armed = true;
  rig.Step();
  g_armed = false;
  EXPECT_EQ(g_allocations, 0) << "handling a SIP message allocated";
  ASSERT_GE(rig.net.sent_count(), 1u);
  auto udp = testing::ParseUdp(rig.net.sent(0));
  ASSERT_TRUE(udp.has_value());
  EXPECT_EQ(udp->payload.rfind("SIP/2.0 200 OK\r\n", 0), 0u);
  EXPECT_EQ(udp->dport, 5061);
  EXPECT_EQ(rig.gw->transaction_stats().tx_responses[2], 2u);
}

TEST(Gateway, GarbageDatagramIsCountedAndDropped) {
  Rig rig;
  rig.gw = std::make_unique<Gateway>(rig.platform);
  ASSERT_TRUE(rig.gw->Start().ok());
  ASSERT_NE(rig.Options(1).find("200 OK"), std::string::npos);
  auto frame = testing::UdpFrame(rig.phone, rig.net.mac.data(), kGatewayIp, 5061, 5060,
                                 std::string("\x01\x02garbage\xff\r\n\r\n", 14));
  rig.net.ClearSent();
  ASSERT_TRUE(rig.net.Inject(frame.data(), frame.size()));
  rig.Step();
  EXPECT_EQ(rig.net.sent_count(), 0u) << "garbage must not be answered";
  EXPECT_EQ(rig.gw->sip_stats().rx_garbage, 1u);
  // Still serving.
  EXPECT_NE(rig.Options(2).find("200 OK"), std::string::npos);
}

// Injects n OPTIONS at one instant of the fake clock and returns how many
// answers had each status line prefix.
struct Answers {
  int ok = 0;
  int refused = 0;
  bool retry_after = false;
};
Answers InjectAtOnce(Rig& rig, int first_cseq, int n) {
  rig.net.ClearSent();
  for (int i = 0; i < n; ++i) {
    const std::string cseq = std::to_string(first_cseq + i);
    const std::string msg =
        "OPTIONS sip:198.51.100.2 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-b" +
        cseq +
        "\r\nMax-Forwards: 70\r\n"
        "From: <sip:probe@198.51.100.1>;tag=abc\r\n"
        "To: <sip:198.51.100.2>\r\nCall-ID: b-" +
        cseq + "@198.51.100.1\r\nCSeq: " + cseq + " OPTIONS\r\nContent-Length: 0\r\n\r\n";
    auto frame = testing::UdpFrame(rig.phone, rig.net.mac.data(), kGatewayIp, 5061, 5060, msg);
    EXPECT_TRUE(rig.net.Inject(frame.data(), frame.size()));
  }
  rig.gw->RunOnce();  // one poll takes every queued frame at the same time
  Answers a;
  for (size_t i = 0; i < rig.net.sent_count(); ++i) {
    auto udp = testing::ParseUdp(rig.net.sent(i));
    if (!udp) continue;
    a.ok += udp->payload.rfind("SIP/2.0 200 ", 0) == 0 ? 1 : 0;
    if (udp->payload.rfind("SIP/2.0 503 ", 0) == 0) {
      ++a.refused;
      a.retry_after = udp->payload.find("\r\nRetry-After: 5\r\n") != std::string::npos;
    }
  }
  return a;
}

TEST(Gateway, RateLimitFollowsTheConfig) {
  Rig rig;
  rig.gw = std::make_unique<Gateway>(rig.platform);
  ASSERT_TRUE(rig.gw->Start().ok());
  ASSERT_NE(rig.Options(1).find("200 OK"), std::string::npos);  // ARP resolved
  ASSERT_NE(rig.Console("SET CFG KEY=SIP.RATE_BURST VALUE=3").find("RETCODE = 0"),
            std::string::npos);
  Answers a = InjectAtOnce(rig, 10, 5);
  EXPECT_EQ(a.ok, 3);
  EXPECT_EQ(a.refused, 2);
  EXPECT_TRUE(a.retry_after);
  EXPECT_NE(rig.Console("DSP PERF").find("refused (503)    2"), std::string::npos);

  ASSERT_NE(rig.Console("SET CFG KEY=SIP.RATE_ACTION VALUE=DROP").find("RETCODE = 0"),
            std::string::npos);
  a = InjectAtOnce(rig, 20, 5);
  EXPECT_LE(a.ok, 3);
  EXPECT_EQ(a.refused, 0);  // dropped, not answered

  ASSERT_NE(rig.Console("SET CFG KEY=SIP.RATE_LIMIT VALUE=0").find("RETCODE = 0"),
            std::string::npos);
  a = InjectAtOnce(rig, 30, 5);
  EXPECT_EQ(a.ok, 5);
}

// Opens a TCP connection from the phone to the telnet port (answering the
// gateway's ARP request on the way) and returns the segments the gateway
// sent once the handshake completed.
std::vector<testing::TcpSeen> TelnetConnect(Rig& rig, uint16_t sport) {
  const uint32_t isn = 1000;
  auto syn = testing::TcpFrame(rig.phone, rig.net.mac.data(), kGatewayIp, sport, 23, isn, 0,
                               testing::kTcpSyn);
  rig.net.ClearSent();
  EXPECT_TRUE(rig.net.Inject(syn.data(), syn.size()));
  rig.Step();
  std::optional<testing::TcpSeen> syn_ack;
  for (int round = 0; round < 2 && !syn_ack; ++round) {
    for (size_t i = 0; i < rig.net.sent_count(); ++i) {
      if (auto arp = testing::ArpReplyTo(rig.net.sent(i), rig.phone)) {
        rig.net.ClearSent();
        EXPECT_TRUE(rig.net.Inject(arp->data(), arp->size()));
        rig.Step();
        break;
      }
      auto seg = testing::ParseTcp(rig.net.sent(i));
      if (seg && seg->flags == (testing::kTcpSyn | testing::kTcpAck)) syn_ack = seg;
    }
  }
  EXPECT_TRUE(syn_ack.has_value()) << "no SYN-ACK";
  if (!syn_ack) return {};
  auto ack = testing::TcpFrame(rig.phone, rig.net.mac.data(), kGatewayIp, sport, 23, isn + 1,
                               syn_ack->seq + 1, testing::kTcpAck);
  rig.net.ClearSent();
  EXPECT_TRUE(rig.net.Inject(ack.data(), ack.size()));
  rig.Step();
  std::vector<testing::TcpSeen> out;
  for (size_t i = 0; i < rig.net.sent_count(); ++i) {
    if (auto seg = testing::ParseTcp(rig.net.sent(i))) out.push_back(*seg);
  }
  return out;
}

TEST(Gateway, TelnetFromOutsideMmlAllowIsReset) {
  Rig rig;
  rig.gw = std::make_unique<Gateway>(rig.platform);
  ASSERT_TRUE(rig.gw->Start().ok());
  ASSERT_NE(
      rig.Console("SET CFG KEY=MML.ALLOW VALUE=\"10.0.0.0/8, 192.168.0.0/16\"").find("RETCODE = 0"),
      std::string::npos);
  std::vector<testing::TcpSeen> segs = TelnetConnect(rig, 40001);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_TRUE(segs[0].flags & testing::kTcpRst);
  EXPECT_TRUE(segs[0].payload.empty());
  const std::string perf = rig.Console("DSP PERF");
  EXPECT_NE(perf.find("refused network  1"), std::string::npos) << perf;
  EXPECT_NE(rig.Console("DSP LOG").find("refused a connection from 198.51.100.1: not in MML.ALLOW"),
            std::string::npos);

  ASSERT_NE(rig.Console("SET CFG KEY=MML.ALLOW VALUE=198.51.100.0/24").find("RETCODE = 0"),
            std::string::npos);
  segs = TelnetConnect(rig, 40002);
  std::string received;
  for (const auto& s : segs) {
    EXPECT_FALSE(s.flags & testing::kTcpRst);
    received += s.payload;
  }
  EXPECT_NE(received.find("Username: "), std::string::npos) << received;
}

TEST(Gateway, MalformedMmlLineNamesTheParameter) {
  Rig rig;
  rig.gw = std::make_unique<Gateway>(rig.platform);
  ASSERT_TRUE(rig.gw->Start().ok());
  std::string out = rig.Console("SET LOG LEVEL=LOUD");
  EXPECT_EQ(out.find("RETCODE = 0"), std::string::npos);
  EXPECT_NE(out.find("LEVEL"), std::string::npos);
  EXPECT_NE(out.find("DEBUG"), std::string::npos) << out;
}

}  // namespace
}  // namespace gw::app
