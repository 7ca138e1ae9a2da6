#pragma once
// A TransactionUser that plays the smallest endpoint behind sip::Stack and
// sip::TransactionLayer: OPTIONS addressed to the gateway is answered 200
// (Allow, Accept), every other request 501, both through the transaction
// layer as the gateway's own TU answers; ACKs, responses and timeouts are
// only counted. Header-only: include it from tests that link gw_sip.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/sip/response.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"

namespace gw::testing {

class FakeUas : public sip::TransactionUser {
 public:
  struct Counts {
    uint32_t requests = 0;
    uint32_t acks = 0;
    uint32_t responses = 0;
    uint32_t strays = 0;
    uint32_t timeouts = 0;
    uint32_t terminated = 0;
    uint32_t send_failures = 0;  // SendResponse refused the answer
  };

  explicit FakeUas(const sip::LocalIdentity& identity, std::string_view server = "imsgw-test")
      : identity_(identity), server_(server) {}
  // The layer the answers go through (it is built with this TU).
  void Attach(sip::TransactionLayer& layer) { layer_ = &layer; }
  const Counts& counts() const { return counts_; }

 private:
  void DoOnRequest(sip::Transaction& txn, const sip::Message& req) override {
    ++counts_.requests;
    const bool ours =
        req.method() == sip::Method::kOptions && sip::IsLocalUri(identity_, req.request_uri());
    String<8> tag;
    sip::MakeToTag(txn.call_id(), txn.serial(), tag);
    sip::ResponseExtras extras{
        tag.view(), ours ? "Allow: OPTIONS\r\nAccept: application/sdp\r\n" : "", server_};
    if (layer_ == nullptr ||
        !sip::BuildResponse(req, txn.source(), ours ? 200 : 501, ours ? "OK" : "Not Implemented",
                            extras, tx_)
             .ok() ||
        !layer_->SendResponse(txn, tx_.view()).ok()) {
      ++counts_.send_failures;
    }
  }
  void DoOnResponse(sip::Transaction&, const sip::Message&) override { ++counts_.responses; }
  void DoOnTimeout(sip::Transaction&, sip::Timeout) override { ++counts_.timeouts; }
  void DoOnTransportError(sip::Transaction&) override {}
  void DoOnTerminated(sip::Transaction&) override { ++counts_.terminated; }
  void DoOnStrayResponse(const sip::Message&, const net::Endpoint&) override { ++counts_.strays; }
  void DoOnAck(const sip::Message&, const net::Endpoint&) override { ++counts_.acks; }

  const sip::LocalIdentity& identity_;
  std::string_view server_;
  sip::TransactionLayer* layer_ = nullptr;
  Counts counts_;
  String<sip::Transaction::kMaxMessage> tx_;
};

}  // namespace gw::testing
