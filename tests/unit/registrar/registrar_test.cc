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
  EXPECT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;q=1.5\r\n")).code, 400);
  EXPECT_EQ(rig.table.size(), 0u);
}

TEST(Registrar, MalformedExpiresCountsAsTheDefault) {
  // RFC 3261 10.3 step 7 leaves a malformed expiry to the registrar: it is
  // taken as absent (the Expires header, then the default), not refused.
  Rig rig;
  const uint32_t deflt = 1000u + rig.config.default_expires * 1000u;
  int cseq = 1;
  for (const char* bad : {"soon", "-1", "", "1.5"}) {
    SCOPED_TRACE(bad);
    std::string c = std::string("Contact: <sip:1001@203.0.113.5>;expires=") + bad + "\r\n";
    ASSERT_EQ(rig.Send(Register(c, "", cseq++)).code, 200);
    EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5")->expires_at_ms, deflt);
    ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n",
                                std::string("Expires: ") + bad + "\r\n", cseq++))
                  .code,
              200);
    EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5")->expires_at_ms, deflt);
  }
  // A bad parameter falls back to a good Expires header.
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;expires=abc\r\n", "Expires: 120\r\n",
                              cseq++))
                .code,
            200);
  EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5")->expires_at_ms, 1000u + 120000u);
  // RFC 3261 20.19: a number above 2^32-1 is well formed and means 2^32-1,
  // so it is shortened to the maximum like any long expiry.
  ASSERT_EQ(
      rig.Send(Register("Contact: <sip:1001@203.0.113.5>;expires=99999999999\r\n", "", cseq++))
          .code,
      200);
  EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5")->expires_at_ms,
            1000u + rig.config.max_expires * 1000u);
  EXPECT_EQ(rig.table.size(), 1u);
}

TEST(Registrar, ExpiresAfterAQuotedInstanceIsRead) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>;+sip.instance=\"<urn:uuid:1>\""
                              ";expires=600;q=0.5\r\n"))
                .code,
            200);
  Binding* b = rig.table.Find("1001", "sip:1001@203.0.113.5");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->expires_at_ms, 1000u + 600000u);
  EXPECT_EQ(b->q, 500u);
  EXPECT_EQ(b->instance.view(), "<urn:uuid:1>");
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.6>;expires=900;"
                              "+sip.instance=\"<urn:uuid:2>\";q=0.25\r\n",
                              "", 2))
                .code,
            200);
  b = rig.table.Find("1001", "sip:1001@203.0.113.6");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->expires_at_ms, 1000u + 900000u);
  EXPECT_EQ(b->q, 250u);
  String<Registrar::kMaxContactList> out;
  ASSERT_TRUE(rig.registrar.AppendContacts("1001", 1000, out).ok());
  EXPECT_NE(out.view().find("Contact: <sip:1001@203.0.113.6>;expires=900;q=0.250;"
                            "+sip.instance=\"<urn:uuid:2>\"\r\n"),
            std::string_view::npos)
      << out.view();
}

TEST(Registrar, NewFlowOfTheSameInstanceReplacesItsBinding) {
  // RFC 5626 6: the binding is keyed by instance and reg-id, not by URI.
  Rig rig;
  const std::string inst = ";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
  ASSERT_EQ(
      rig.Send(Register("Contact: <sip:1001@203.0.113.5:5062>" + inst + ";reg-id=1\r\n")).code,
      200);
  // The phone restarted (new Call-ID) on another port: same instance, same flow.
  RegisterResult r = rig.Send(Register(
      "Contact: <sip:1001@203.0.113.5:6000>" + inst + ";reg-id=1\r\n", "", 1, "reg-restarted"));
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.refreshed, 1u);
  EXPECT_EQ(rig.table.CountFor("1001"), 1u);
  EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5:6000") != nullptr, true);
  // A second flow (reg-id 2) of the instance is a binding of its own.
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5:6002>" + inst + ";reg-id=2\r\n", "",
                              2, "reg-restarted"))
                .code,
            200);
  EXPECT_EQ(rig.table.CountFor("1001"), 2u);
  // Another device with the same URI but another instance is another binding.
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5:6000>;+sip.instance=\"<urn:uuid:9>\""
                              ";reg-id=1\r\n",
                              "", 1, "other-device"))
                .code,
            200);
  EXPECT_EQ(rig.table.CountFor("1001"), 3u);
}

TEST(Registrar, FullAorReplacesItsOldestBinding) {
  Rig rig;
  for (size_t i = 0; i < LocationTable::kMaxPerAor; ++i) {
    ASSERT_EQ(
        rig.Send(Register("Contact: <sip:1001@203.0.113.5:" + std::to_string(5000 + i) + ">\r\n",
                          "", static_cast<int>(i + 1)),
                 1000 + static_cast<uint32_t>(i) * 1000)
            .code,
        200);
  }
  // Refresh the first: the second becomes the oldest.
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5:5000>\r\n", "", 20), 20000).code,
            200);
  RegisterResult r = rig.Send(Register("Contact: <sip:1001@203.0.113.5:6000>\r\n", "", 21), 21000);
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.added, 1u);
  EXPECT_EQ(r.replaced, 1u);
  EXPECT_EQ(rig.table.CountFor("1001"), LocationTable::kMaxPerAor);
  EXPECT_NE(rig.table.Find("1001", "sip:1001@203.0.113.5:6000"), nullptr);
  EXPECT_NE(rig.table.Find("1001", "sip:1001@203.0.113.5:5000"), nullptr) << "refreshed: kept";
  EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5:5001"), nullptr) << "the oldest went";
}

TEST(Registrar, FullTableReplacesAUsersOwnBindingOr503) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5:5000>\r\n")).code, 200);
  for (size_t i = 1; i < LocationTable::kCapacity; ++i) {
    Result<Binding*> b = rig.table.Allocate("u" + std::to_string(i));
    ASSERT_TRUE(b.ok());
    (*b)->expires_at_ms = 1000000;
  }
  RegisterResult r = rig.Send(Register("Contact: <sip:1001@203.0.113.5:5001>\r\n", "", 2));
  EXPECT_EQ(r.code, 200) << "the user's own binding makes room";
  EXPECT_EQ(r.replaced, 1u);
  EXPECT_NE(rig.table.Find("1001", "sip:1001@203.0.113.5:5001"), nullptr);
  EXPECT_EQ(rig.table.size(), LocationTable::kCapacity);
  // A user with nothing to give up: 503, counted.
  rig.buf = Register("Contact: <sip:1002@203.0.113.5:5000>\r\n");
  ASSERT_TRUE(rig.msg.Parse(rig.buf).ok());
  EXPECT_EQ(rig.registrar.Handle(rig.msg, "1002", kPhone, 1000).code, 503);
  EXPECT_EQ(rig.table.stats().refused_full, 1u);
}

TEST(Registrar, CSeqUpTo32BitsIsOrderedPerCallId) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 0)).code, 200);
  std::string text = Register("Contact: <sip:1001@203.0.113.5>\r\n");
  text.replace(text.find("CSeq: 1 "), 8, "CSeq: 4294967294 ");
  ASSERT_EQ(rig.Send(text).code, 200);
  text.replace(text.find("CSeq: 4294967294 "), 17, "CSeq: 4294967295 ");
  EXPECT_EQ(rig.Send(text).code, 200);
  EXPECT_EQ(rig.table.Find("1001", "sip:1001@203.0.113.5")->cseq, 4294967295u);
  EXPECT_EQ(rig.Send(text).code, 500) << "a retransmitted CSeq is out of order";
}

TEST(Registrar, SamePrivateContactBehindTwoNatsStaysTwoBindings) {
  Rig rig;
  const std::string contact = "Contact: <sip:1001@192.168.1.10:5060>\r\n";
  const net::Endpoint nat_a{net::MakeIp4(203, 0, 113, 1), 4000};
  const net::Endpoint nat_b{net::MakeIp4(203, 0, 113, 2), 4000};
  auto send = [&](const net::Endpoint& from, const std::string& call_id, int cseq) {
    rig.buf = Register(contact, "", cseq, call_id);
    EXPECT_TRUE(rig.msg.Parse(rig.buf).ok());
    return rig.registrar.Handle(rig.msg, "1001", from, 1000);
  };
  EXPECT_EQ(send(nat_a, "phone-a", 1).added, 1u);
  EXPECT_EQ(send(nat_b, "phone-b", 1).added, 1u);
  EXPECT_EQ(rig.table.CountFor("1001"), 2u);
  // Each refreshes its own.
  RegisterResult r = send(nat_a, "phone-a", 2);
  EXPECT_EQ(r.refreshed, 1u);
  EXPECT_EQ(r.added, 0u);
  // The NAT of phone a gave it a new port: same Call-ID, same binding.
  r = send({nat_a.addr, 4001}, "phone-a", 3);
  EXPECT_EQ(r.refreshed, 1u);
  EXPECT_EQ(rig.table.CountFor("1001"), 2u);
  size_t from_b = 0;
  rig.table.ForEach("1001", [&](Binding& b) { from_b += b.source == nat_b; });
  EXPECT_EQ(from_b, 1u);
}

TEST(Registrar, PathIsStoredAsTheRouteSetAndBounded) {
  Rig rig;
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n",
                              "Path: <sip:198.51.100.9;lr>\r\nPath: <sip:198.51.100.8;lr>\r\n"))
                .code,
            200);
  Binding* b = rig.table.Find("1001", "sip:1001@203.0.113.5");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->route_set(), "<sip:198.51.100.9;lr>, <sip:198.51.100.8;lr>");
  // A refresh without Path clears it (the path is the latest REGISTER's).
  ASSERT_EQ(rig.Send(Register("Contact: <sip:1001@203.0.113.5>\r\n", "", 2)).code, 200);
  EXPECT_EQ(b->route_set(), "");
  std::string long_path = "Path: <sip:" + std::string(Binding::kMaxPath, 'p') + ".example;lr>\r\n";
  RegisterResult r = rig.Send(Register("Contact: <sip:1001@203.0.113.5:7>\r\n", long_path, 3));
  EXPECT_EQ(r.code, 400);
  EXPECT_EQ(r.reason, "Path Too Long");
  EXPECT_EQ(
      rig.Send(Register("Contact: <sip:1001@203.0.113.5:7>\r\n", "Path: <mailto:x>\r\n", 4)).code,
      400);
  EXPECT_EQ(rig.table.CountFor("1001"), 1u) << "refused REGISTERs change nothing";
}

TEST(Registrar, WholeContactListOfLongestBindingsFits) {
  Rig rig;
  std::string contacts;
  for (size_t i = 0; i < LocationTable::kMaxPerAor; ++i) {
    std::string uri = "sip:1001@203.0.113.5:" + std::to_string(5000 + i) + ";x=";
    uri += std::string(Binding::kMaxContact - uri.size(), 'a');
    std::string inst = "<urn:" + std::string(Binding::kMaxInstance - 6, 'u') + ">";
    contacts +=
        "Contact: <" + uri + ">;q=0.125;+sip.instance=\"" + inst + "\";reg-id=4294967295\r\n";
  }
  ASSERT_EQ(rig.Send(Register(contacts, "", 1), 1000).code, 200);
  ASSERT_EQ(rig.table.CountFor("1001"), LocationTable::kMaxPerAor);
  String<Registrar::kMaxContactList> out;
  EXPECT_TRUE(rig.registrar.AppendContacts("1001", 1000, out).ok());
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
  EXPECT_EQ(rig.table.stats().refused_full, 1u) << "the REGISTER's refusal is counted";
  EXPECT_EQ(rig.table.Allocate("x").status(), Status::ResourceExhausted());
  EXPECT_EQ(rig.table.stats().refused_full, 2u);
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
