#include "gw/registrar/registrar.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gw/core/timer_wheel.h"
#include "gw/registrar/keepalive.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/testing/fake_uas.h"

namespace gw::registrar {
namespace {

constexpr net::Endpoint kPhone{net::MakeIp4(203, 0, 113, 5), 5062};

std::string Register(const std::string& contacts, const std::string& extra = "", int cseq = 1,
                     const std::string& call_id = "reg-1") {
  std::string m =
      "REGISTER sip:imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-1\r\n"
      "From: <sip:1001@imsgw.local>;tag=a\r\n"
      "To: <sip:1001@imsgw.local>\r\n"
      "Call-ID: " +
      call_id +
      "\r\n"
      "CSeq: " +
      std::to_string(cseq) +
      " REGISTER\r\n"
      "User-Agent: test-phone/1.0\r\n";
  m += contacts;
  m += extra;
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

struct Rig {
  RegistrarConfig config;
  LocationTable table;
  Registrar registrar{table, config};
  std::string buf;
  sip::Message msg;
  RegisterResult Send(const std::string& text, uint32_t now = 1000) {
    buf = text;
    EXPECT_TRUE(msg.Parse(buf).ok());
    return registrar.Handle(msg, "1001", kPhone, now);
  }
};

TEST(Registrar, AddsBindingWithExpiresAndListsIt) {
  Rig rig;
  RegisterResult r = rig.Send(Register("Contact: <sip:1001@10.0.0.7:5062>;expires=600\r\n"));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.added, 1u);
  Binding* b = rig.table.Find("1001", "sip:1001@10.0.0.7:5062");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->nat) << "private contact behind another source address";
  EXPECT_EQ(b->source, kPhone);
  EXPECT_EQ(b->user_agent.view(), "test-phone/1.0");
  String<256> out;
  ASSERT_TRUE(rig.registrar.AppendContacts("1001", 1000 + 100 * 1000, out).ok());
  EXPECT_EQ(out.view(), "Contact: <sip:1001@10.0.0.7:5062>;expires=500\r\n");
}

TEST(Registrar, ExpiresHeaderAndDefaultApply) {
  Rig rig;
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5:5062>\r\n", "Expires: 120\r\n")).code,
            200);
  Binding* b = rig.table.Find("1001", "sip:1001@203.0.113.5:5062");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->expires_at_ms, 1000u + 120000u);
  EXPECT_FALSE(b->nat) << "public contact equal to the source";
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5:5070>\r\n", "", 2)).code, 200);
  b = rig.table.Find("1001", "sip:1001@203.0.113.5:5070");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->expires_at_ms, 1000u + rig.config.default_expires * 1000u);
}

TEST(Registrar, TooBriefGets423WithMinExpiresAndChangesNothing) {
  Rig rig;
  RegisterResult r =
      rig.Send(Register("Contact: <sip:1001@203.0.113.5:1>;expires=3600\r\n"
                        "Contact: <sip:1001@203.0.113.5:2>;expires=30\r\n"));
  EXPECT_EQ(r.code, 423);
  EXPECT_EQ(r.min_expires, rig.config.min_expires);
  EXPECT_EQ(rig.table.size(), 0u) << "all or nothing";
}

TEST(Registrar, LongExpiryIsShortenedToMax) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;expires=999999\r\n")).code, 200);
  EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5")->expires_at_ms,
            1000u + rig.config.max_expires * 1000u);
}

TEST(Registrar, ExpiresZeroRemovesOneAndStarRemovesAll) {
  Rig rig;
  ASSERT_EQ(
      rig.Send(Register("Contact: <sip:1001@203.0.113.5:1>, <sip:1001@203.0.113.5:2>\r\n")).code,
      200);
  EXPECT_EQ(rig.table.CountFor("1001"), 2u);
  RegisterResult r = rig.Send(Register("Contact: <sip:1001@203.0.113.5:1>;expires=0\r\n", "", 2));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.removed, 1u);
  EXPECT_EQ(rig.table.CountFor("1001"), 1u);
  r = rig.Send(Register("Contact: *\r\n", "Expires: 0\r\n", 3));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(rig.table.size(), 0u);
}

TEST(Registrar, StarNeedsExpiresZeroAndNoOtherContact) {
  Rig rig;
  EXPECT_EQ(rig.Send(Register("Contact: *\r\n")).code, 400);
  EXPECT_EQ(rig.Send(Register("Contact: *\r\n", "Expires: 60\r\n")).code, 400);
  EXPECT_EQ(rig.Send(Register("Contact: *, <sip:1001@203.0.113.5>\r\n", "Expires: 0\r\n")).code,
            400);
}

TEST(Registrar, OutOfOrderCSeqOnSameCallIdIsRefused) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 5)).code, 200);
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 5)).code, 500);
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 4)).code, 500);
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 6)).code, 200);
  // Another Call-ID (a phone restarted) may use any CSeq.
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 1, "reg-2")).code, 200);
}

TEST(Registrar, QueryWithoutContactChangesNothing) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n")).code, 200);
  RegisterResult r = rig.Send(Register("", "", 2));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.added + r.removed + r.refreshed, 0u);
  EXPECT_EQ(rig.table.size(), 1u);
}

TEST(Registrar, MalformedContactsAndParamsGet400) {
  Rig rig;
  EXPECT_EQ(rig.Send(Register("Contact: <mailto:x@y>\r\n")).code, 400);
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;expires=soon\r\n")).code, 400);
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;q=1.5\r\n")).code, 400);
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "Expires: -1\r\n")).code, 400);
  EXPECT_EQ(rig.table.size(), 0u);
}

TEST(Registrar, PerAorLimitAndTableCapacityGive503) {
  Rig rig;
  std::string many;
  for (size_t i = 0; i < LocationTable::kMaxPerAor + 1; ++i) {
    many += "Contact: <sip:1001@203.0.113.5:" + std::to_string(5000 + i) + ">\r\n";
  }
  EXPECT_EQ(rig.Send(Register(many)).code, 503);
  EXPECT_EQ(rig.table.size(), 0u);
  // Fill the table through other AORs, then one more is refused and counted.
  for (size_t i = 0; i < LocationTable::kCapacity; ++i) {
    Result<Binding*> b = rig.table.Allocate("u" + std::to_string(i));
    ASSERT_TRUE(b.ok());
    (*b)->expires_at_ms = 1000000;
  }
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n")).code, 503);
  EXPECT_EQ(rig.table.Allocate("x").status(), Status::ResourceExhausted());
  EXPECT_EQ(rig.table.stats().refused_full, 1u);
  rig.table.Clear();
  EXPECT_EQ(rig.table.size(), 0u);
}

TEST(Registrar, BindingsExpire) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;expires=60\r\n")).code, 200);
  EXPECT_EQ(rig.table.Expire(1000 + 59999), 0u);
  EXPECT_EQ(rig.table.Expire(1000 + 60000), 1u);
  EXPECT_EQ(rig.table.size(), 0u);
  EXPECT_EQ(rig.table.stats().expired, 1u);
}

TEST(Location, PrivateRanges) {
  EXPECT_TRUE(IsPrivateIp4(net::MakeIp4(10, 1, 2, 3)));
  EXPECT_TRUE(IsPrivateIp4(net::MakeIp4(172, 16, 0, 1)));
  EXPECT_TRUE(IsPrivateIp4(net::MakeIp4(172, 31, 255, 1)));
  EXPECT_FALSE(IsPrivateIp4(net::MakeIp4(172, 32, 0, 1)));
  EXPECT_TRUE(IsPrivateIp4(net::MakeIp4(192, 168, 1, 1)));
  EXPECT_TRUE(IsPrivateIp4(net::MakeIp4(100, 64, 0, 1)));
  EXPECT_FALSE(IsPrivateIp4(net::MakeIp4(203, 0, 113, 1)));
}

}  // namespace
}  // namespace gw::registrar

namespace gw::registrar {
namespace {

class RecordingSender : public net::DatagramSender {
 public:
  struct Sent {
    net::Endpoint to;
    std::string data;
  };
  std::vector<Sent> sent;

 private:
  Status DoSendTo(const net::Endpoint& to, std::span<const std::byte> data) override {
    sent.push_back({to, std::string(reinterpret_cast<const char*>(data.data()), data.size())});
    return Status::Ok();
  }
};

TEST(Keepalive, PingsNatBindingsAtTheIntervalOnly) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@10.0.0.7:5062>\r\n")).code, 200);
  rig.buf = Register("Contact: <sip:1001@203.0.113.5:5070>\r\n", "", 2);  // public: no NAT
  ASSERT_TRUE(rig.msg.Parse(rig.buf).ok());
  ASSERT_EQ(rig.registrar.Handle(rig.msg, "1001", {net::MakeIp4(203, 0, 113, 5), 5070}, 1000).code,
            200);
  RecordingSender sender;
  sip::LocalIdentity id;
  id.address = net::MakeIp4(198, 51, 100, 2);
  id.port = 5060;
  Keepalive ka(rig.table, sender, id);
  ka.Tick(1000, 30);  // schedules the first ping one interval on
  EXPECT_TRUE(sender.sent.empty());
  ka.Tick(1000 + 29999, 30);
  EXPECT_TRUE(sender.sent.empty());
  ka.Tick(1000 + 30000, 30);
  ASSERT_EQ(sender.sent.size(), 1u) << "only the NAT binding is pinged";
  EXPECT_EQ(sender.sent[0].to, kPhone) << "sent to where the REGISTER came from";
  EXPECT_EQ(sender.sent[0].data.rfind("OPTIONS sip:1001@10.0.0.7:5062 SIP/2.0\r\n", 0), 0u);
  sip::Message m;
  ASSERT_TRUE(m.Parse(sender.sent[0].data).ok()) << sender.sent[0].data;
  EXPECT_NE(m.Find(sip::HeaderId::kVia)->value.find(sip::kKeepaliveBranch), std::string::npos);
  ka.Tick(1000 + 45000, 30);
  EXPECT_EQ(sender.sent.size(), 1u);
  ka.Tick(1000 + 60000, 30);
  EXPECT_EQ(sender.sent.size(), 2u);
  ka.Tick(1000 + 200000, 0);  // NAT.KEEPALIVE = 0: off
  EXPECT_EQ(sender.sent.size(), 2u);
  EXPECT_EQ(ka.stats().sent, 2u);
}

TEST(Keepalive, StackCountsAndDropsTheReplies) {
  RecordingSender sender;
  sip::LocalIdentity id;
  id.address = net::MakeIp4(198, 51, 100, 2);
  TimerWheel timers(0);
  testing::FakeUas uas(id);
  sip::TransactionLayer layer(sender, timers, uas);
  uas.Attach(layer);
  sip::Stack stack(sender, layer, "test");
  std::string reply =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 198.51.100.2:5060;branch=" +
      std::string(sip::kKeepaliveBranch) +
      "00000001;rport=5060\r\n"
      "From: <sip:keepalive@198.51.100.2>;tag=ka00000001\r\n"
      "To: <sip:1001@10.0.0.7:5062>;tag=p\r\n"
      "Call-ID: ka00000001@198.51.100.2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  net::DatagramHandler& handler = stack;
  handler.OnDatagram({reinterpret_cast<const std::byte*>(reply.data()), reply.size()}, kPhone);
  EXPECT_EQ(stack.stats().rx_keepalive_replies, 1u);
  EXPECT_TRUE(sender.sent.empty());
  EXPECT_EQ(uas.counts().strays, 0u);  // never reached the transaction layer
}

}  // namespace
}  // namespace gw::registrar
