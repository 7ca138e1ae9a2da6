#include "gw/sip/replier.h"

#include "gw/core/log.h"
#include "gw/sip/response.h"

namespace gw::sip {

Status Replier::Reply(Transaction& txn, const Message& req, int code, std::string_view reason,
                      std::string_view headers) {
  if (layer_ == nullptr) return Status::FailedPrecondition();
  const Header* call_id = req.Find(HeaderId::kCallId);
  String<8> tag;
  MakeToTag(call_id != nullptr ? call_id->value : std::string_view(), ++tag_salt_, tag);
  tx_.clear();
  ResponseExtras extras{tag.view(), headers, server_};
  Status built = BuildResponse(req, txn.source(), code, reason, extras, tx_);
  if (!built.ok()) {
    GW_LOG_WARN("sip", "%d response to %.*s not built: %s", code,
                static_cast<int>(req.method_text().size()), req.method_text().data(), built.str());
    return built;
  }
  Status sent = layer_->SendResponse(txn, tx_.view());
  if (!sent.ok()) GW_LOG_DEBUG("sip", "response %d not sent: %s", code, sent.str());
  return sent;
}

}  // namespace gw::sip
