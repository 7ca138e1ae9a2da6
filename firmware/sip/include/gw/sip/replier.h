#pragma once
// Answers the server transactions of one transaction user: builds each
// response from its request (BuildResponse: Vias, From, To with a fresh To
// tag when the request has none, Call-ID, CSeq, the extra headers, the
// Server header) in one TX buffer and sends it through the layer. One per
// TU that answers requests itself; its buffer is free again once Reply
// returns.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/sip/message.h"
#include "gw/sip/transaction.h"

namespace gw::sip {

class Replier {
 public:
  // server: the Server header value (empty: none); must outlive the Replier.
  explicit Replier(std::string_view server) : server_(server) {}
  // The layer must be attached before the first Reply.
  void Attach(TransactionLayer& layer) { layer_ = &layer; }

  // Sends the response `code` to req through txn; headers: extra lines,
  // each ending in CRLF. Logged where it fails:
  // ResourceExhausted: the response does not fit a datagram (nothing sent);
  // InvalidArgument: req lacks a header a response echoes;
  // FailedPrecondition: no layer attached; the layer's send statuses.
  Status Reply(Transaction& txn, const Message& req, int code, std::string_view reason,
               std::string_view headers = {});

 private:
  TransactionLayer* layer_ = nullptr;
  std::string_view server_;
  uint32_t tag_salt_ = 0;
  String<Transaction::kMaxMessage> tx_;
};

}  // namespace gw::sip
