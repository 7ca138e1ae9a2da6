#pragma once
// A DatagramSender that records what the Stack sends, with a fixed capacity
// (a test that sends more than kCapacity datagrams is itself broken), plus
// helpers to look at a recorded response.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "gw/net/address.h"
#include "gw/net/udp.h"
#include "gw/sip/message.h"
#include "gw/sip/via.h"

namespace gw::sip::testing {

class FakeSender : public net::DatagramSender {
 public:
  static constexpr size_t kCapacity = 8;
  struct Sent {
    net::Endpoint to;
    std::string data;
  };

  size_t count() const { return count_; }
  const Sent& sent(size_t i) const { return sent_[i]; }
  // Every later SendTo returns this status (and records nothing unless Ok).
  void FailWith(Status s) { result_ = s; }
  void Clear() { count_ = 0; }
  size_t overflowed() const { return overflowed_; }

 private:
  Status DoSendTo(const net::Endpoint& to, std::span<const std::byte> data) override {
    if (!result_.ok()) return result_;
    if (count_ == kCapacity) {
      ++overflowed_;
      return Status::ResourceExhausted();
    }
    sent_[count_++] = {to, std::string(reinterpret_cast<const char*>(data.data()), data.size())};
    return Status::Ok();
  }

  std::array<Sent, kCapacity> sent_;
  size_t count_ = 0;
  size_t overflowed_ = 0;
  Status result_ = Status::Ok();
};

inline std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// The value of the first header with this id, or "<absent>".
inline std::string HeaderValue(const Message& m, HeaderId id) {
  const Header* h = m.Find(id);
  return h == nullptr ? std::string("<absent>") : std::string(h->value);
}

}  // namespace gw::sip::testing

namespace gw::sip::testing {

// What must hold for any datagram fed to the Stack (in front of a
// transaction layer and FakeUas), whatever its content: at most one answer;
// an answer is a parseable SIP response with status 200, 400 or 501, sent
// back to the source address, echoing Call-ID, CSeq and From and the top
// Via; nothing ever answers a response. A 400 to a request that parses
// comes only from the layer refusing a field too long to keep.
inline void ExpectSaneAnswer(std::string_view request, const FakeSender& sender,
                             const net::Endpoint& from) {
  ASSERT_LE(sender.count(), 1u) << "more than one answer to one datagram";
  ASSERT_EQ(sender.overflowed(), 0u);
  std::string_view start = request;
  while (!start.empty() && (start.front() == '\r' || start.front() == '\n')) start.remove_prefix(1);
  Message req;
  bool req_ok = req.Parse(request).ok();
  if (start.substr(0, 4) == "SIP/" || (req_ok && !req.is_request())) {
    EXPECT_EQ(sender.count(), 0u) << "answered a response";
    return;
  }
  if (sender.count() == 0) return;
  ASSERT_TRUE(req.is_request());
  EXPECT_NE(req.method(), Method::kAck) << "answered an ACK";
  const std::string& data = sender.sent(0).data;
  EXPECT_EQ(sender.sent(0).to.addr, from.addr);
  Message resp;
  if (!resp.Parse(data).ok()) {
    // The only acceptable defect is the request's own malformed CSeq, which
    // RFC 3261 8.2.6.2 says the response must copy (checked verbatim below).
    // A request that parsed had a valid CSeq, so its response must parse.
    ASSERT_FALSE(req_ok) << data;
    ASSERT_EQ(resp.error(), ParseError::kBadCSeq) << data;
  }
  EXPECT_FALSE(resp.is_request()) << data;
  EXPECT_TRUE(resp.status_code() == 200 || resp.status_code() == 400 || resp.status_code() == 501)
      << data;
  if (resp.status_code() == 400 && req_ok) {
    EXPECT_EQ(resp.reason(), "Header Field Too Long") << "400 to a request that parsed: " << data;
  }
  if (resp.status_code() == 200) {
    EXPECT_TRUE(req_ok);
  }
  EXPECT_EQ(HeaderValue(resp, HeaderId::kCallId), HeaderValue(req, HeaderId::kCallId)) << data;
  EXPECT_EQ(HeaderValue(resp, HeaderId::kCSeq), HeaderValue(req, HeaderId::kCSeq)) << data;
  EXPECT_EQ(HeaderValue(resp, HeaderId::kFrom), HeaderValue(req, HeaderId::kFrom)) << data;
  std::string to = HeaderValue(resp, HeaderId::kTo);
  EXPECT_EQ(to.substr(0, HeaderValue(req, HeaderId::kTo).size()), HeaderValue(req, HeaderId::kTo))
      << data;
  ValueSplitter split(req.Find(HeaderId::kVia)->value);
  std::string_view top;
  ASSERT_TRUE(split.Next(top));
  std::string resp_via = HeaderValue(resp, HeaderId::kVia);
  // RFC 3581: a valueless rport comes back in place as rport=<source port>;
  // everything else of the top Via is echoed as is (received may follow).
  Via top_via;
  std::string expected(top);
  if (ParseVia(top, top_via).ok() && top_via.has_rport && top_via.rport.empty()) {
    size_t at = std::string::npos;
    for (size_t p = expected.find(';'); p != std::string::npos; p = expected.find(';', p + 1)) {
      size_t e = expected.find(';', p + 1);
      std::string param = expected.substr(p + 1, e == std::string::npos ? e : e - p - 1);
      std::string_view trimmed = Trim(param);
      if (EqualsIgnoreCase(trimmed, "rport")) {
        at = p + 1 + param.find_first_not_of(" \t") + 5;
        break;
      }
    }
    ASSERT_NE(at, std::string::npos) << data;
    ASSERT_GT(resp_via.size(), at) << data;
    EXPECT_EQ(resp_via.substr(0, at), expected.substr(0, at)) << data;
    size_t digits = resp_via.find_first_not_of("0123456789", at + 1);
    EXPECT_EQ(resp_via[at], '=') << data;
    EXPECT_GT(digits, at + 1) << data;
    std::string rest = resp_via.substr(digits == std::string::npos ? resp_via.size() : digits);
    EXPECT_EQ(rest.substr(0, expected.size() - at), expected.substr(at)) << data;
  } else {
    EXPECT_EQ(resp_via.substr(0, top.size()), top) << data;
  }
}

}  // namespace gw::sip::testing
