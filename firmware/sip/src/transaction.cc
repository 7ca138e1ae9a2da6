#include "gw/sip/transaction.h"

#include "gw/core/hash.h"
#include "gw/core/log.h"
#include "gw/sip/local_identity.h"
#include "gw/sip/response.h"

namespace gw::sip {
namespace {

// RFC 2543 matching key: R-URI, From tag and the whole top Via. Call-ID and
// CSeq are kept in clear and compared separately.
uint64_t FallbackKey(const Message& req, std::string_view top_via) {
  uint64_t h = Fnv1a64Field(kFnv64Offset, req.request_uri());
  h = Fnv1a64Field(h, TagOf(req, HeaderId::kFrom));
  return Fnv1a64Field(h, top_via);
}

uint64_t TagDigest(std::string_view tag) {
  return Fnv1a64Field(kFnv64Offset, tag);
}

bool HasCookie(std::string_view branch) {
  return branch.substr(0, TransactionLayer::kMagicCookie.size()) == TransactionLayer::kMagicCookie;
}

std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace

const char* TransactionStateName(TransactionState state) {
  switch (state) {
    case TransactionState::kCalling:
      return "Calling";
    case TransactionState::kTrying:
      return "Trying";
    case TransactionState::kProceeding:
      return "Proceeding";
    case TransactionState::kCompleted:
      return "Completed";
    case TransactionState::kConfirmed:
      return "Confirmed";
    case TransactionState::kAccepted:
      return "Accepted";
    case TransactionState::kTerminated:
      return "Terminated";
  }
  return "?";
}

const char* TimeoutName(Timeout which) {
  switch (which) {
    case Timeout::kTimerB:
      return "B";
    case Timeout::kTimerF:
      return "F";
    case Timeout::kTimerH:
      return "H";
    case Timeout::kTimerC:
      return "C";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Transaction

Transaction::Transaction(TransactionLayer& layer, TransactionKind kind, uint32_t serial)
    : layer_(layer),
      kind_(kind),
      serial_(serial),
      retransmit_timer_(&Transaction::RetransmitFired, this),
      timeout_timer_(&Transaction::TimeoutFired, this),
      timer_c_(&Transaction::TimerCFired, this) {}

void Transaction::RetransmitFired(void* self) {
  auto* txn = static_cast<Transaction*>(self);
  txn->layer_.OnRetransmitTimer(*txn);
}

void Transaction::TimeoutFired(void* self) {
  auto* txn = static_cast<Transaction*>(self);
  txn->layer_.OnTimeoutTimer(*txn);
}

void Transaction::TimerCFired(void* self) {
  auto* txn = static_cast<Transaction*>(self);
  txn->layer_.OnTimerC(*txn);
}

// ---------------------------------------------------------------------------
// Layer: construction, sending

TransactionLayer::TransactionLayer(net::DatagramSender& sender, TimerWheel& timers,
                                   TransactionUser& tu, const TransactionConfig& config)
    : sender_(sender), timers_(timers), tu_(tu), config_(config) {}

TransactionLayer::~TransactionLayer() {
  pool_.ForEach([this](Transaction& txn) {
    timers_.Cancel(txn.retransmit_timer_);
    timers_.Cancel(txn.timeout_timer_);
    timers_.Cancel(txn.timer_c_);
    (void)pool_.Release(&txn);
  });
}

Status TransactionLayer::Send(std::string_view datagram, const net::Endpoint& to) {
  Status s = sender_.SendTo(to, Bytes(datagram));
  if (!s.ok()) ++stats_.tx_errors;
  return s;
}

Status TransactionLayer::SendStateless(std::string_view datagram, const net::Endpoint& to) {
  return Send(datagram, to);
}

bool TransactionLayer::SendStored(Transaction& txn) {
  return Send(txn.message_.view(), txn.peer_) != Status::Unavailable();
}

void TransactionLayer::StartTimeout(Transaction& txn, uint32_t ms) {
  timers_.Schedule(txn.timeout_timer_, ms);
}

void Transaction::SetIdentity(const Message& req, const Via& top_via, std::string_view call_id) {
  // The callers checked the lengths against the fields' capacities.
  method_ = req.method();
  (void)method_text_.assign(req.method_text());
  (void)branch_.assign(top_via.branch);
  (void)sent_by_host_.assign(top_via.host);
  sent_by_port_ = top_via.port;
  cseq_ = req.cseq_number();
  (void)call_id_.assign(call_id);
}

// Completed non-INVITE and Confirmed INVITE server transactions, Completed
// client ones, and Accepted INVITEs (RFC 6026): only absorbing retransmissions.
static bool Lingering(TransactionState state, TransactionKind kind) {
  return state == TransactionState::kConfirmed || state == TransactionState::kAccepted ||
         (state == TransactionState::kCompleted && kind != TransactionKind::kServerInvite);
}

size_t TransactionLayer::in_progress() const {
  size_t n = 0;
  pool_.ForEach([&](const Transaction& t) { n += !Lingering(t.state_, t.kind_); });
  return n;
}

bool TransactionLayer::ReclaimOldestLingering() {
  // Completed non-INVITE and Confirmed INVITE server transactions,
  // Completed client ones, and Accepted INVITEs (RFC 6026) only absorb late
  // retransmissions until Timers J/I/K/D/L/M end them (up to 32 s over UDP).
  // Under pressure the oldest of them gives way to new work rather than
  // new work being answered 503: a retransmission arriving after that is
  // handled as a new request, or (a 2xx) as a stray response the proxy
  // forwards statelessly (RFC 3261 16.7), which is what a stateless element
  // would do anyway.
  Transaction* oldest = nullptr;
  pool_.ForEach([&](Transaction& t) {
    if (Lingering(t.state_, t.kind_) &&
        (oldest == nullptr || static_cast<int32_t>(t.serial_ - oldest->serial_) < 0)) {
      oldest = &t;
    }
  });
  if (oldest == nullptr) return false;
  ++stats_.reclaimed;
  Terminate(*oldest);
  return true;
}

void TransactionLayer::Terminate(Transaction& txn) {
  timers_.Cancel(txn.retransmit_timer_);
  timers_.Cancel(txn.timeout_timer_);
  timers_.Cancel(txn.timer_c_);
  txn.state_ = TransactionState::kTerminated;
  tu_.OnTerminated(txn);
  if (!pool_.Release(&txn)) {
    GW_LOG_ERROR("sip", "transaction %u not in the pool", static_cast<unsigned>(txn.serial_));
  }
}

// ---------------------------------------------------------------------------
// Receiving

void TransactionLayer::Receive(const Message& msg, const net::Endpoint& from) {
  if (msg.error() != ParseError::kNone) {
    ++stats_.dropped;  // a broken invariant of the caller: count, never crash
    return;
  }
  if (msg.is_request()) {
    ReceiveRequest(msg, from);
  } else {
    ReceiveResponse(msg, from);
  }
}

Transaction* TransactionLayer::MatchServer(const Message& req, std::string_view top_via,
                                           const Via& via, bool as_invite) {
  const bool is_ack = req.method() == Method::kAck;
  const bool cookie = HasCookie(via.branch);
  // Computed once, only for the RFC 2543 rules.
  uint64_t key = 0;
  uint64_t to_tag = 0;
  if (!cookie) {
    key = FallbackKey(req, top_via);
    to_tag = TagDigest(TagOf(req, HeaderId::kTo));
  }
  const Header* call_id = req.Find(HeaderId::kCallId);
  Transaction* found = nullptr;
  pool_.ForEach([&](Transaction& txn) {
    if (found != nullptr || txn.is_client() || txn.state_ == TransactionState::kTerminated) return;
    if (as_invite ? txn.method_ != Method::kInvite : txn.method_text_.view() != req.method_text()) {
      return;
    }
    if (cookie) {
      if (txn.rfc2543_ || txn.branch_.view() != via.branch) return;
      if (!EqualsIgnoreCase(txn.sent_by_host_.view(), via.host) || txn.sent_by_port_ != via.port) {
        return;
      }
    } else {
      // RFC 3261 17.2.3: R-URI, To tag, From tag, Call-ID, CSeq number and
      // top Via; an ACK's To tag is the one of the response it acknowledges.
      if (!txn.rfc2543_ || txn.fallback_key_ != key || txn.cseq_ != req.cseq_number()) return;
      if (call_id == nullptr || txn.call_id_.view() != call_id->value) return;
      if (is_ack ? to_tag != txn.response_to_tag_ : to_tag != txn.request_to_tag_) return;
    }
    found = &txn;
  });
  return found;
}

Transaction* TransactionLayer::FindCancelTarget(const Message& cancel) {
  std::string_view top;
  Via via;
  if (!TopViaValue(cancel, top) || !ParseVia(top, via).ok()) return nullptr;
  return MatchServer(cancel, top, via, /*as_invite=*/true);
}

void TransactionLayer::ReceiveRequest(const Message& req, const net::Endpoint& from) {
  std::string_view top;
  Via via;
  if (!TopViaValue(req, top) || !ParseVia(top, via).ok()) {
    ++stats_.dropped;
    return;
  }
  const bool is_ack = req.method() == Method::kAck;
  if (Transaction* txn = MatchServer(req, top, via, is_ack); txn != nullptr) {
    AbsorbRequest(*txn, req, from);
    return;
  }
  if (is_ack) {
    ++stats_.acks_to_tu;
    tu_.OnAck(req, from);
    return;
  }
  const Header* call_id = req.Find(HeaderId::kCallId);
  if (via.branch.size() > Transaction::kMaxBranch || via.host.size() > Transaction::kMaxHost ||
      call_id->value.size() > Transaction::kMaxCallId ||
      req.method_text().size() > Transaction::kMaxMethod) {
    ++stats_.refused_oversized;
    RefuseStatelessly(req, from, via, 400, "Header Field Too Long", {});
    return;
  }
  const TransactionKind kind = req.method() == Method::kInvite ? TransactionKind::kServerInvite
                                                               : TransactionKind::kServerNonInvite;
  Transaction* txn = pool_.Acquire(*this, kind, ++next_serial_);
  if (txn == nullptr && ReclaimOldestLingering()) {
    txn = pool_.Acquire(*this, kind, next_serial_);
  }
  if (txn == nullptr) {
    ++stats_.refused_pool_full;
    if (!pool_full_logged_) {
      // Once per episode: the counter tells how many followed.
      pool_full_logged_ = true;
      GW_LOG_WARN("sip", "transaction pool full (%u): answering 503",
                  static_cast<unsigned>(kCapacity));
    }
    String<32> retry;
    (void)retry.Format("Retry-After: %u\r\n", static_cast<unsigned>(config_.retry_after_s));
    RefuseStatelessly(req, from, via, 503, "Service Unavailable", retry.view());
    return;
  }
  pool_full_logged_ = false;
  ++stats_.server_created;
  txn->state_ = kind == TransactionKind::kServerInvite ? TransactionState::kProceeding
                                                       : TransactionState::kTrying;
  txn->SetIdentity(req, via, call_id->value);
  txn->source_ = from;
  txn->peer_ = ResponseDestination(via, from);
  StartTimeout(*txn, GuardMs(kind));
  if (!HasCookie(via.branch)) {
    txn->rfc2543_ = true;
    txn->fallback_key_ = FallbackKey(req, top);
    txn->request_to_tag_ = TagDigest(TagOf(req, HeaderId::kTo));
  }
  // The TU may fork this request: leave it room for every branch, ending
  // lingering transactions now rather than inside its SendRequest calls.
  while (pool_.used() + kTuHeadroom > kCapacity && ReclaimOldestLingering()) {
  }
  tu_.OnRequest(*txn, req);
}

void TransactionLayer::AbsorbRequest(Transaction& txn, const Message& req,
                                     const net::Endpoint& from) {
  if (req.method() == Method::kAck) {
    switch (txn.state_) {
      case TransactionState::kCompleted:
        // RFC 3261 17.2.1: the ACK for a non-2xx final response.
        ++stats_.requests_absorbed;
        timers_.Cancel(txn.retransmit_timer_);
        txn.state_ = TransactionState::kConfirmed;
        StartTimeout(txn, config_.t4_ms);  // Timer I
        return;
      case TransactionState::kAccepted:
        // RFC 6026: an ACK in Accepted (for the 2xx) goes to the TU.
        ++stats_.acks_to_tu;
        tu_.OnAck(req, from);
        return;
      default:
        ++stats_.requests_absorbed;  // Confirmed, or an ACK before any final
        return;
    }
  }
  ++stats_.requests_absorbed;
  // Resend the last response where there is one to resend: Proceeding with
  // a provisional, Completed. Trying, Confirmed and Accepted (RFC 6026)
  // absorb silently.
  bool resend = (txn.state_ == TransactionState::kProceeding && !txn.message_.empty()) ||
                txn.state_ == TransactionState::kCompleted;
  if (resend) {
    ++stats_.retransmits;
    (void)SendStored(txn);
  }
}

void TransactionLayer::RefuseStatelessly(const Message& req, const net::Endpoint& from,
                                         const Via& via, int code, std::string_view reason,
                                         std::string_view headers) {
  String<8> tag;
  MakeToTag(req.Find(HeaderId::kCallId)->value, ++tag_salt_, tag);
  ResponseExtras extras{tag.view(), headers, config_.server};
  if (!BuildResponse(req, from, code, reason, extras, scratch_).ok()) {
    ++stats_.tx_errors;
    return;
  }
  (void)Send(scratch_.view(), ResponseDestination(via, from));
}

void TransactionLayer::ReceiveResponse(const Message& resp, const net::Endpoint& from) {
  std::string_view top;
  Via via;
  if (!TopViaValue(resp, top) || !ParseVia(top, via).ok()) {
    ++stats_.dropped;
    return;
  }
  // RFC 3261 17.1.3: the top Via branch and the CSeq method.
  Transaction* found = nullptr;
  pool_.ForEach([&](Transaction& txn) {
    if (found == nullptr && txn.is_client() && txn.state_ != TransactionState::kTerminated &&
        txn.branch_.view() == via.branch && txn.method_text_.view() == resp.cseq_method()) {
      found = &txn;
    }
  });
  if (found == nullptr) {
    ++stats_.stray_responses;
    tu_.OnStrayResponse(resp, from);
    return;
  }
  if (found->kind_ == TransactionKind::kClientInvite) {
    ClientInviteResponse(*found, resp);
  } else {
    ClientNonInviteResponse(*found, resp);
  }
}

void TransactionLayer::ClientInviteResponse(Transaction& txn, const Message& resp) {
  const int code = resp.status_code();
  switch (txn.state_) {
    case TransactionState::kCalling:
    case TransactionState::kProceeding:
      txn.last_status_ = static_cast<int16_t>(code);
      if (code < 200) {
        // No retransmissions and no Timer B once the far end is alive. After
        // a CANCEL the 64*T1 wait for the final response runs on: a UAS
        // that keeps ringing and never answers must not hold the branch.
        // Before one, the guard replaces Timer B: the TU's Timer C decides
        // (RFC 3261 16.6 step 11, 16.8); should the TU forget the branch,
        // the guard still ends it, as a Timer B timeout.
        timers_.Cancel(txn.retransmit_timer_);
        if (!txn.cancel_sent_) StartTimeout(txn, GuardMs(txn.kind_));
        txn.state_ = TransactionState::kProceeding;
      } else if (code < 300) {
        // RFC 6026: Accepted, Timer M; the 2xx ACK is the TU's.
        timers_.Cancel(txn.retransmit_timer_);
        timers_.Cancel(txn.timer_c_);
        txn.state_ = TransactionState::kAccepted;
        StartTimeout(txn, 64 * config_.t1_ms);
      } else {
        timers_.Cancel(txn.retransmit_timer_);
        timers_.Cancel(txn.timer_c_);
        txn.state_ = TransactionState::kCompleted;
        StartTimeout(txn, config_.timer_d_ms);
        // The stored INVITE is not needed any more: the ACK replaces it.
        const Header* to = resp.Find(HeaderId::kTo);
        if (BuildFromRequest(txn, "ACK", to->value, scratch_).ok() &&
            txn.message_.assign(scratch_.view()).ok()) {
          (void)SendStored(txn);
        } else {
          ++stats_.tx_errors;
          txn.message_.clear();
          GW_LOG_WARN("sip", "ACK for %d does not fit; not sent", code);
        }
      }
      tu_.OnResponse(txn, resp);
      return;
    case TransactionState::kCompleted:
      // A retransmitted final response: ACK it again, the TU saw it.
      ++stats_.responses_absorbed;
      if (code >= 300 && !txn.message_.empty()) {
        ++stats_.retransmits;
        (void)SendStored(txn);
      }
      return;
    case TransactionState::kAccepted:
      // RFC 6026: every 2xx goes to the TU (retransmissions, forks).
      if (code >= 200 && code < 300) {
        tu_.OnResponse(txn, resp);
      } else {
        ++stats_.responses_absorbed;
      }
      return;
    default:
      ++stats_.responses_absorbed;
      return;
  }
}

void TransactionLayer::ClientNonInviteResponse(Transaction& txn, const Message& resp) {
  const int code = resp.status_code();
  if (txn.state_ != TransactionState::kTrying && txn.state_ != TransactionState::kProceeding) {
    ++stats_.responses_absorbed;  // Completed: retransmitted finals
    return;
  }
  txn.last_status_ = static_cast<int16_t>(code);
  if (code < 200) {
    // Timer E keeps running; from now on it resends every T2.
    txn.state_ = TransactionState::kProceeding;
  } else {
    timers_.Cancel(txn.retransmit_timer_);
    txn.state_ = TransactionState::kCompleted;
    StartTimeout(txn, config_.t4_ms);  // Timer K replaces F
  }
  tu_.OnResponse(txn, resp);
}

// ---------------------------------------------------------------------------
// Client side: sending requests

Result<Transaction*> TransactionLayer::SendRequest(std::string_view request,
                                                   const net::Endpoint& to, void* user) {
  if (request.size() > Transaction::kMaxMessage) return Status::ResourceExhausted();
  Message req;
  if (!req.Parse(request).ok() || !req.is_request() || req.method() == Method::kAck) {
    return Status::InvalidArgument();
  }
  std::string_view top;
  Via via;
  if (!TopViaValue(req, top) || !ParseVia(top, via).ok() || !HasCookie(via.branch)) {
    return Status::InvalidArgument();
  }
  const Header* call_id = req.Find(HeaderId::kCallId);
  if (via.branch.size() > Transaction::kMaxBranch || via.host.size() > Transaction::kMaxHost ||
      call_id->value.size() > Transaction::kMaxCallId ||
      req.method_text().size() > Transaction::kMaxMethod) {
    return Status::InvalidArgument();
  }
  bool duplicate = false;
  pool_.ForEach([&](Transaction& txn) {
    duplicate = duplicate || (txn.is_client() && txn.branch_.view() == via.branch &&
                              txn.method_text_.view() == req.method_text());
  });
  if (duplicate) return Status::AlreadyExists();

  const bool invite = req.method() == Method::kInvite;
  Transaction* txn = pool_.Acquire(
      *this, invite ? TransactionKind::kClientInvite : TransactionKind::kClientNonInvite,
      next_serial_ + 1);
  if (txn == nullptr) return Status::ResourceExhausted();
  txn->state_ = invite ? TransactionState::kCalling : TransactionState::kTrying;
  txn->SetIdentity(req, via, call_id->value);
  txn->source_ = to;
  txn->peer_ = to;
  txn->user_ = user;
  (void)txn->message_.assign(request);
  if (!SendStored(*txn)) {
    // Unroutable: nothing was created as far as the TU is concerned.
    (void)pool_.Release(txn);
    return Status::Unavailable();
  }
  ++next_serial_;
  ++stats_.client_created;
  txn->interval_ms_ = config_.t1_ms;
  timers_.Schedule(txn->retransmit_timer_, txn->interval_ms_);  // A or E
  StartTimeout(*txn, 64 * config_.t1_ms);                       // B or F
  return txn;
}

Status TransactionLayer::BuildFromRequest(const Transaction& txn, std::string_view method,
                                          std::string_view to, StringBase& out) const {
  Message req;
  if (!req.Parse(txn.message_.view()).ok()) return Status::Internal();
  std::string_view top;
  if (!TopViaValue(req, top)) return Status::Internal();
  out.clear();
  GW_TRY(out.append(method));
  GW_TRY(out.append(" "));
  GW_TRY(out.append(req.request_uri()));
  GW_TRY(out.append(" SIP/2.0\r\nVia: "));
  GW_TRY(out.append(top));
  GW_TRY(out.append("\r\n"));
  // The Route set of the request, in order (RFC 3261 17.1.1.3, 9.1).
  for (size_t i = 0; i < req.header_count(); ++i) {
    const Header& h = req.header(i);
    if (h.id != HeaderId::kRoute) continue;
    GW_TRY(out.append("Route: "));
    GW_TRY(out.append(h.value));
    GW_TRY(out.append("\r\n"));
  }
  GW_TRY(out.Format("Max-Forwards: %u\r\nFrom: ", kInitialMaxForwards));
  GW_TRY(out.append(req.Find(HeaderId::kFrom)->value));
  GW_TRY(out.append("\r\nTo: "));
  GW_TRY(out.append(to));
  GW_TRY(out.append("\r\nCall-ID: "));
  GW_TRY(out.append(req.Find(HeaderId::kCallId)->value));
  GW_TRY(out.Format("\r\nCSeq: %lu ", static_cast<unsigned long>(txn.cseq_)));
  GW_TRY(out.append(method));
  return out.append("\r\nContent-Length: 0\r\n\r\n");
}

Status TransactionLayer::BuildCancel(Transaction& txn, StringBase& out) {
  if (txn.kind_ != TransactionKind::kClientInvite || txn.state_ != TransactionState::kProceeding) {
    return Status::FailedPrecondition();
  }
  Message req;
  if (!req.Parse(txn.message_.view()).ok()) return Status::Internal();
  GW_TRY(BuildFromRequest(txn, "CANCEL", req.Find(HeaderId::kTo)->value, out));
  if (!txn.cancel_sent_) {
    txn.cancel_sent_ = true;
    StartTimeout(txn, 64 * config_.t1_ms);
  }
  return Status::Ok();
}

Status TransactionLayer::ArmTimerC(Transaction& txn) {
  if (txn.kind_ != TransactionKind::kClientInvite ||
      (txn.state_ != TransactionState::kCalling && txn.state_ != TransactionState::kProceeding)) {
    return Status::FailedPrecondition();
  }
  timers_.Schedule(txn.timer_c_, config_.timer_c_ms);
  return Status::Ok();
}

void TransactionLayer::StopTimerC(Transaction& txn) {
  timers_.Cancel(txn.timer_c_);
}

// ---------------------------------------------------------------------------
// Server side: sending responses

Status TransactionLayer::SendResponse(Transaction& txn, std::string_view response) {
  if (txn.is_client()) return Status::FailedPrecondition();
  Message resp;
  if (!resp.Parse(response).ok() || resp.is_request()) return Status::InvalidArgument();
  const int code = resp.status_code();
  const bool final_response = code >= 200;
  const bool two_xx = code >= 200 && code < 300;
  switch (txn.state_) {
    case TransactionState::kTrying:
    case TransactionState::kProceeding:
      break;
    case TransactionState::kAccepted:
      // RFC 6026: the TU's 2xx retransmissions go out through here.
      if (!two_xx) return Status::FailedPrecondition();
      break;
    default:
      return Status::FailedPrecondition();
  }
  if (response.size() > Transaction::kMaxMessage) return Status::ResourceExhausted();
  (void)txn.message_.assign(response);
  txn.last_status_ = static_cast<int16_t>(code);
  ++stats_.tx_responses[code / 100 <= 6 ? code / 100 : 0];
  if (txn.kind_ == TransactionKind::kServerInvite) {
    if (two_xx) {
      if (txn.state_ != TransactionState::kAccepted) {
        txn.state_ = TransactionState::kAccepted;
        StartTimeout(txn, 64 * config_.t1_ms);  // Timer L
      }
    } else if (final_response) {
      txn.state_ = TransactionState::kCompleted;
      txn.response_to_tag_ = TagDigest(TagOf(resp, HeaderId::kTo));
      txn.interval_ms_ = config_.t1_ms;
      timers_.Schedule(txn.retransmit_timer_, txn.interval_ms_);  // Timer G
      StartTimeout(txn, 64 * config_.t1_ms);                      // Timer H
    } else {
      // A provisional: the TU is at work (ringing); the guard starts over.
      StartTimeout(txn, GuardMs(txn.kind_));
    }
  } else {
    if (final_response) {
      txn.state_ = TransactionState::kCompleted;
      StartTimeout(txn, 64 * config_.t1_ms);  // Timer J (UDP)
    } else {
      txn.state_ = TransactionState::kProceeding;
    }
  }
  return Send(txn.message_.view(), txn.peer_);
}

// ---------------------------------------------------------------------------
// Timers

void TransactionLayer::OnRetransmitTimer(Transaction& txn) {
  const bool retransmitting =
      (txn.kind_ == TransactionKind::kClientInvite && txn.state_ == TransactionState::kCalling) ||
      (txn.kind_ == TransactionKind::kClientNonInvite &&
       (txn.state_ == TransactionState::kTrying || txn.state_ == TransactionState::kProceeding)) ||
      (txn.kind_ == TransactionKind::kServerInvite && txn.state_ == TransactionState::kCompleted);
  if (!retransmitting) return;
  ++stats_.retransmits;
  if (!SendStored(txn)) {
    ++stats_.transport_errors;
    tu_.OnTransportError(txn);
    Terminate(txn);
    return;
  }
  switch (txn.kind_) {
    case TransactionKind::kClientInvite:  // A doubles until B ends it
      txn.interval_ms_ *= 2;
      break;
    case TransactionKind::kClientNonInvite:  // E doubles up to T2; T2 once Proceeding
      txn.interval_ms_ =
          txn.state_ == TransactionState::kProceeding
              ? config_.t2_ms
              : (2 * txn.interval_ms_ < config_.t2_ms ? 2 * txn.interval_ms_ : config_.t2_ms);
      break;
    default:  // G doubles up to T2
      txn.interval_ms_ =
          2 * txn.interval_ms_ < config_.t2_ms ? 2 * txn.interval_ms_ : config_.t2_ms;
      break;
  }
  timers_.Schedule(txn.retransmit_timer_, txn.interval_ms_);
}

void TransactionLayer::OnTimeoutTimer(Transaction& txn) {
  // Timers B, F and H are failures the TU hears about; D, I, J, K, L and M
  // only end the wait for retransmissions.
  bool failed = false;
  Timeout which = Timeout::kTimerB;
  switch (txn.kind_) {
    case TransactionKind::kClientInvite:
      // Calling: Timer B. Proceeding: the wait after a CANCEL (9.1), or the
      // guard the TU's Timer C should have made unnecessary.
      failed =
          txn.state_ == TransactionState::kCalling || txn.state_ == TransactionState::kProceeding;
      which = Timeout::kTimerB;
      break;
    case TransactionKind::kClientNonInvite:
      failed =
          txn.state_ == TransactionState::kTrying || txn.state_ == TransactionState::kProceeding;
      which = Timeout::kTimerF;
      break;
    case TransactionKind::kServerInvite:
      failed = txn.state_ == TransactionState::kCompleted;
      which = Timeout::kTimerH;
      break;
    case TransactionKind::kServerNonInvite:
      break;
  }
  if (failed) {
    ++stats_.timeouts;
    tu_.OnTimeout(txn, which);
  }
  if (!txn.is_client() &&
      (txn.state_ == TransactionState::kTrying || txn.state_ == TransactionState::kProceeding)) {
    // The guard: the TU never sent a final response (it could not build
    // one, or it waits for nothing). The client gave up long ago; the slot
    // must not be held forever.
    ++stats_.unanswered;
    if (!unanswered_logged_) {
      unanswered_logged_ = true;
      GW_LOG_WARN("sip", "%.*s server transaction unanswered after %u ms: ended",
                  static_cast<int>(txn.method_text_.size()), txn.method_text_.c_str(),
                  static_cast<unsigned>(GuardMs(txn.kind_)));
    }
  }
  Terminate(txn);
}

Status TransactionLayer::Abandon(Transaction& txn) {
  if (txn.kind_ != TransactionKind::kServerNonInvite ||
      (txn.state_ != TransactionState::kTrying && txn.state_ != TransactionState::kProceeding)) {
    return Status::FailedPrecondition();
  }
  StartTimeout(txn, config_.t4_ms);
  return Status::Ok();
}

uint32_t TransactionLayer::GuardMs(TransactionKind kind) const {
  // Later than anything a TU legitimately waits for: a non-INVITE branch's
  // Timer F (64*T1, RFC 3261 17.1.2.2; the client's own Timer F ends its
  // wait then too); an INVITE branch's Timer C, refreshed by every
  // provisional (which re-arms this guard), plus the 64*T1 a CANCELed
  // branch may take to answer. T4 on top covers a branch that started a
  // little after its server transaction.
  const uint32_t t = 64 * config_.t1_ms + config_.t4_ms;
  return kind == TransactionKind::kServerNonInvite ? t : config_.timer_c_ms + t;
}

void TransactionLayer::OnTimerC(Transaction& txn) {
  if (txn.state_ == TransactionState::kCalling || txn.state_ == TransactionState::kProceeding) {
    tu_.OnTimeout(txn, Timeout::kTimerC);
  }
}

}  // namespace gw::sip
