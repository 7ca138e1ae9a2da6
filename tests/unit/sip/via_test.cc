#include "gw/sip/via.h"

#include <gtest/gtest.h>

#include <string_view>

namespace gw::sip {
namespace {

using namespace std::string_view_literals;

TEST(Via, ParsesTransportHostPortAndBranch) {
  Via via;
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds", via).ok());
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "pc33.example.com");
  EXPECT_EQ(via.port, 5066);
  EXPECT_EQ(via.branch, "z9hG4bK776asdhds");
  EXPECT_TRUE(via.received.empty());
  EXPECT_FALSE(via.has_rport);
}

TEST(Via, PortIsZeroWhenAbsent) {
  Via via;
  ASSERT_TRUE(ParseVia("SIP/2.0/TCP 192.0.2.4", via).ok());
  EXPECT_EQ(via.transport, "TCP");
  EXPECT_EQ(via.host, "192.0.2.4");
  EXPECT_EQ(via.port, 0);
  EXPECT_TRUE(via.branch.empty());
}

TEST(Via, EmptyRport) {
  Via via;
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKa", via).ok());
  EXPECT_TRUE(via.has_rport);
  EXPECT_TRUE(via.rport.empty());
  EXPECT_EQ(via.branch, "z9hG4bKa");
}

TEST(Via, RportWithValueAndReceived) {
  Via via;
  ASSERT_TRUE(
      ParseVia("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;received=192.0.2.1;rport=40000", via)
          .ok());
  EXPECT_TRUE(via.has_rport);
  EXPECT_EQ(via.rport, "40000");
  EXPECT_EQ(via.rport_port, 40000u);
  EXPECT_EQ(via.received, "192.0.2.1");
  EXPECT_EQ(via.branch, "z9hG4bKa");
}

TEST(Via, RportValueMustBeAPort) {
  // The proxy sends responses to it (RFC 3581 4): a value that is not
  // 1..65535 makes the Via malformed instead of a wrapped port number.
  Via via;
  for (std::string_view bad : {"abc"sv, "0"sv, "65536"sv, "-1"sv, "4294972296"sv, "5060x"sv,
                               "99999999999999999999999"sv}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseVia("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;rport=" + std::string(bad), via),
              Status::InvalidArgument());
  }
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;rport=05060", via).ok());
  EXPECT_EQ(via.rport_port, 5060u);
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bKa", via).ok());
  EXPECT_EQ(via.rport_port, 0u);
}

TEST(Via, SentByPortOverflowRefused) {
  Via via;
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 10.0.0.1:4294972356;branch=z9hG4bKa", via),
            Status::InvalidArgument());
  EXPECT_EQ(ParseVia("SIP/2.0/UDP 10.0.0.1:65536;branch=z9hG4bKa", via), Status::InvalidArgument());
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP 10.0.0.1:65535;branch=z9hG4bKa", via).ok());
  EXPECT_EQ(via.port, 65535u);
}

TEST(Via, ParamNamesAreCaseInsensitiveAndLwsTolerated) {
  Via via;
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP h.example.com ; BRANCH = z9hG4bKb ; RPort", via).ok());
  EXPECT_EQ(via.host, "h.example.com");
  EXPECT_EQ(via.branch, "z9hG4bKb");
  EXPECT_TRUE(via.has_rport);
}

TEST(Via, Ipv6SentBy) {
  Via via;
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP [::1]:5070;branch=z9hG4bKc", via).ok());
  EXPECT_EQ(via.host, "::1");
  EXPECT_EQ(via.port, 5070);
  ASSERT_TRUE(ParseVia("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]", via).ok());
  EXPECT_EQ(via.host, "2001:db8::9:1");
  EXPECT_EQ(via.port, 0);
  EXPECT_EQ(via.received, "[2001:db8::9:255]");
}

TEST(Via, LwsAroundSlashes) {
  Via via;
  ASSERT_TRUE(ParseVia("SIP / 2.0 / UDP host.example.com:5061;branch=z9hG4bKd", via).ok());
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "host.example.com");
  EXPECT_EQ(via.port, 5061);
  // Folded, as RFC 4475 wsinv has it.
  ASSERT_TRUE(ParseVia("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw", via).ok());
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "192.0.2.2");
  EXPECT_EQ(via.branch, "390skdjuw");
  // "sip" is case-insensitive.
  EXPECT_TRUE(ParseVia("sip/2.0/udp a.example.com", via).ok());
}

TEST(Via, MalformedOnesAreRefused) {
  for (std::string_view bad : {
           ""sv, "garbage"sv,
           "SIP/2.0/UDP"sv,  // no sent-by
           "SIP/2.0/UDP "sv,
           "SIP/2.0 UDP host"sv,             // missing slash
           "SIP/3.0/UDP host"sv,             // version
           "HTTP/2.0/UDP host"sv,            // protocol name
           "SIP/2.0/UDP host:abc"sv,         // port not numeric
           "SIP/2.0/UDP host:"sv,            // empty port
           "SIP/2.0/UDP host:0"sv,           // port 0
           "SIP/2.0/UDP host:70000"sv,       // port > 65535
           "SIP/2.0/UDP [::1"sv,             // unterminated reference
           "SIP/2.0/UDP []:5060"sv,          // empty reference
           "SIP/2.0/UDP [::1]5060"sv,        // no colon before port
           "SIP/2.0/UDP ho_st"sv,            // bad host char
           "SIP/2.0/UDP ;branch=z9hG4bK"sv,  // empty sent-by
           "SIP/2.0/UDP :5060"sv,            // empty host
           ",SIP/2.0/UDP host"sv,            // leading comma
       }) {
    Via via;
    EXPECT_EQ(ParseVia(bad, via), Status::InvalidArgument()) << bad;
  }
}

TEST(Uri, UserPasswordPortParamsHeaders) {
  Uri uri;
  ASSERT_TRUE(
      ParseUri("sip:alice:secret@atlanta.example.com:5070;transport=udp;lr?subject=hi&x=y", uri)
          .ok());
  EXPECT_EQ(uri.scheme, "sip");
  EXPECT_EQ(uri.user, "alice");  // the password is not part of the user
  EXPECT_EQ(uri.host, "atlanta.example.com");
  EXPECT_EQ(uri.port, 5070);
  EXPECT_EQ(uri.params, "transport=udp;lr");  // stops before the headers
}

TEST(Uri, HostOnlyAndSips) {
  Uri uri;
  ASSERT_TRUE(ParseUri("sip:192.0.2.1", uri).ok());
  EXPECT_TRUE(uri.user.empty());
  EXPECT_EQ(uri.host, "192.0.2.1");
  EXPECT_EQ(uri.port, 0);
  EXPECT_TRUE(uri.params.empty());
  ASSERT_TRUE(ParseUri("SIPS:bob@example.com?h=v", uri).ok());
  EXPECT_EQ(uri.scheme, "SIPS");
  EXPECT_EQ(uri.user, "bob");
  EXPECT_EQ(uri.host, "example.com");
  EXPECT_TRUE(uri.params.empty());
}

TEST(Uri, UserPartWithSemicolon) {
  // RFC 4475 semiuri: the ';' before '@' belongs to the user part.
  Uri uri;
  ASSERT_TRUE(ParseUri("sip:user;par=u%40example.net@example.com", uri).ok());
  EXPECT_EQ(uri.user, "user;par=u%40example.net");
  EXPECT_EQ(uri.host, "example.com");
  EXPECT_TRUE(uri.params.empty());
}

TEST(Uri, Ipv6Reference) {
  Uri uri;
  ASSERT_TRUE(ParseUri("sip:[2001:db8::10]:5070;transport=udp", uri).ok());
  EXPECT_EQ(uri.host, "2001:db8::10");
  EXPECT_EQ(uri.port, 5070);
  EXPECT_EQ(uri.params, "transport=udp");
  // RFC 5118 4.3: the ":5070" inside the brackets is part of the address.
  ASSERT_TRUE(ParseUri("sip:[2001:db8::10:5070]", uri).ok());
  EXPECT_EQ(uri.host, "2001:db8::10:5070");
  EXPECT_EQ(uri.port, 0);
  ASSERT_TRUE(ParseUri("sip:user@[::1]", uri).ok());
  EXPECT_EQ(uri.user, "user");
  EXPECT_EQ(uri.host, "::1");
  // RFC 5118 4.2: an IPv6 address without brackets is not a host.
  EXPECT_EQ(ParseUri("sip:2001:db8::10", uri), Status::InvalidArgument());
}

TEST(Uri, OtherSchemesAreUnimplemented) {
  Uri uri;
  EXPECT_EQ(ParseUri("tel:+1-201-555-0123", uri), Status::Unimplemented());
  EXPECT_EQ(uri.scheme, "tel");
  EXPECT_EQ(ParseUri("nobodyKnowsThisScheme:totallyopaquecontent", uri), Status::Unimplemented());
  EXPECT_EQ(ParseUri("soap.beep://192.0.2.103:3002", uri), Status::Unimplemented());
  EXPECT_EQ(uri.scheme, "soap.beep");
}

TEST(Uri, PortZeroAndOverflowRefused) {
  Uri uri;
  EXPECT_EQ(ParseUri("sip:host.example.com:0", uri), Status::InvalidArgument());
  EXPECT_EQ(ParseUri("sip:host.example.com:70000", uri), Status::InvalidArgument());
  EXPECT_EQ(ParseUri("sip:host.example.com:65536", uri), Status::InvalidArgument());
  EXPECT_EQ(ParseUri("sip:host.example.com:123456", uri), Status::InvalidArgument());
  EXPECT_EQ(ParseUri("sip:[::1]:0", uri), Status::InvalidArgument());
  ASSERT_TRUE(ParseUri("sip:host.example.com:65535", uri).ok());
  EXPECT_EQ(uri.port, 65535);
  ASSERT_TRUE(ParseUri("sip:host.example.com:1", uri).ok());
  EXPECT_EQ(uri.port, 1);
}

TEST(Uri, MalformedRefused) {
  for (std::string_view bad : {""sv, "sip"sv, ":x"sv, "sip:"sv, "sip:@example.com"sv, "sip:user@"sv,
                               "sip:user@host:"sv, "sip:<user@example.com>"sv, "sip:[::1"sv}) {
    Uri uri;
    EXPECT_FALSE(ParseUri(bad, uri).ok()) << bad;
  }
}

TEST(Uri, AddrSpecOfNameAddrWithQuotedDisplayNameContainingLt) {
  EXPECT_EQ(AddrSpecOf(R"("a <b> c" <sip:x@example.com;transport=udp>;tag=1)"),
            "sip:x@example.com;transport=udp");
  EXPECT_EQ(AddrSpecOf(R"("esc \" <quote" <sip:y@example.com>)"), "sip:y@example.com");
  EXPECT_EQ(AddrSpecOf("Bob <sip:bob@example.com>"), "sip:bob@example.com");
  EXPECT_EQ(AddrSpecOf("<sip:bob@example.com>;tag=9"), "sip:bob@example.com");
  EXPECT_EQ(AddrSpecOf("  <sip:bob@example.com>  "), "sip:bob@example.com");
}

TEST(Uri, HeaderParamsAfterAQuotedValueHoldingAngleBrackets) {
  // RFC 5626 4.1: +sip.instance is a quoted "<urn:...>" and may come before
  // or after expires and q.
  const std::string_view contact =
      R"(<sip:1001@10.0.0.7:5062;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;expires=600;q=0.5)";
  bool found = false;
  EXPECT_EQ(HeaderParam(contact, "expires", found), "600");
  EXPECT_TRUE(found);
  EXPECT_EQ(HeaderParam(contact, "q", found), "0.5");
  EXPECT_TRUE(found);
  EXPECT_EQ(HeaderParam(contact, "reg-id", found), "1");
  EXPECT_EQ(HeaderParam(contact, "+sip.instance", found),
            R"("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")");
  EXPECT_EQ(HeaderParam(contact, "ob", found), "") << "a URI parameter, not a header one";
  EXPECT_FALSE(found);
  const std::string_view before =
      R"(<sip:1001@10.0.0.7:5062>;expires=600;q=0.5;+sip.instance="<urn:uuid:1>")";
  EXPECT_EQ(HeaderParam(before, "expires", found), "600");
  EXPECT_TRUE(found);
  EXPECT_EQ(HeaderParam(before, "q", found), "0.5");
  // A quoted value holding ';' does not end the parameter early.
  EXPECT_EQ(HeaderParam(R"(<sip:a@b>;x="p;expires=1";expires=60)", "expires", found), "60");
  EXPECT_TRUE(found);
  EXPECT_EQ(HeaderParam(R"("x;y>" <sip:a@b>;tag=9)", "tag", found), "9");
  EXPECT_EQ(HeaderParam("sip:a@b;tag=1;expires=5", "expires", found), "5");
  EXPECT_EQ(HeaderParam(R"(<sip:a@b>;p="unterminated;tag=1)", "tag", found), "");
  EXPECT_FALSE(found);
}

TEST(Uri, AddrSpecOfBareAddrSpecLosesHeaderParams) {
  // RFC 3261 20.10: without <>, params after the URI are header params.
  EXPECT_EQ(AddrSpecOf("sip:+19725552222@gw1.example.net;unknownparam"),
            "sip:+19725552222@gw1.example.net");
  EXPECT_EQ(AddrSpecOf("sip:a@b;tag=1"), "sip:a@b");
  EXPECT_EQ(AddrSpecOf("sip:a@b"), "sip:a@b");
}

TEST(Uri, AddrSpecOfUnclosedOrUnbalancedIsEmptyNotACrash) {
  EXPECT_EQ(AddrSpecOf("Bob <sip:bob@example.com"), "");
  EXPECT_EQ(AddrSpecOf(""), "");
  // An unterminated quote hides the '<'; nothing past the end is read.
  EXPECT_EQ(AddrSpecOf("\"Bob <sip:bob@example.com>"), "\"Bob <sip:bob@example.com>");
  EXPECT_EQ(AddrSpecOf("\"\\"), "\"\\");
}

TEST(Uri, HeaderParamTag) {
  bool found = false;
  EXPECT_EQ(HeaderParam("\"Bob\" <sip:bob@example.com>;tag=a6c85cf", "tag", found), "a6c85cf");
  EXPECT_TRUE(found);
  EXPECT_EQ(HeaderParam("<sip:bob@example.com> ; TAG = x1 ;foo", "tag", found), "x1");
  EXPECT_TRUE(found);
  EXPECT_EQ(HeaderParam("sip:bob@example.com;tag=1928301774", "tag", found), "1928301774");
  EXPECT_TRUE(found);
}

TEST(Uri, HeaderParamAbsentOrInsideTheUri) {
  bool found = true;
  EXPECT_EQ(HeaderParam("<sip:bob@example.com>", "tag", found), "");
  EXPECT_FALSE(found);
  found = true;
  // A tag inside <> is a URI parameter, not the header's.
  EXPECT_EQ(HeaderParam("<sip:bob@example.com;tag=inuri>", "tag", found), "");
  EXPECT_FALSE(found);
  found = true;
  EXPECT_EQ(HeaderParam("<sip:bob@example.com>;tagx=1;xtag=2", "tag", found), "");
  EXPECT_FALSE(found);
}

TEST(Uri, HeaderParamValuelessParam) {
  bool found = false;
  EXPECT_EQ(HeaderParam("<sip:bob@example.com>;lr;tag=", "lr", found), "");
  EXPECT_TRUE(found);
  found = false;
  EXPECT_EQ(HeaderParam("<sip:bob@example.com>;lr;tag=", "tag", found), "");
  EXPECT_TRUE(found);
}

// RFC 3581 4: with rport in the request, received goes in whether or not
// the sent-by matches the source.
TEST(StampedVia, RportGetsThePortAndReceivedAlways) {
  const net::Endpoint from{net::MakeIp4(198, 51, 100, 1), 5061};
  String<256> out;
  ASSERT_TRUE(
      AppendStampedVia(out, "SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-1;rport", from).ok());
  EXPECT_EQ(out.view(),
            "SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-1;rport=5061;received=198.51.100.1");
  out.clear();
  ASSERT_TRUE(AppendStampedVia(out, "SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK-2", from).ok());
  EXPECT_EQ(out.view(),
            "SIP/2.0/UDP 10.0.0.5:5060;rport=5061;branch=z9hG4bK-2;received=198.51.100.1");
}

TEST(StampedVia, WithoutRportReceivedOnlyWhenTheHostDiffers) {
  const net::Endpoint from{net::MakeIp4(198, 51, 100, 1), 5061};
  String<256> out;
  ASSERT_TRUE(AppendStampedVia(out, "SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-1", from).ok());
  EXPECT_EQ(out.view(), "SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-1");
  out.clear();
  ASSERT_TRUE(AppendStampedVia(out, "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK-1", from).ok());
  EXPECT_EQ(out.view(), "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK-1;received=198.51.100.1");
  out.clear();
  ASSERT_TRUE(AppendStampedVia(out, "garbage", from).ok());
  EXPECT_EQ(out.view(), "garbage");
}

}  // namespace
}  // namespace gw::sip
