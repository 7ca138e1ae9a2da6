#pragma once
// The RFC 3261 section 17 transaction layer over UDP, with the RFC 6026
// "Accepted" states: INVITE and non-INVITE, client and server, in one fixed
// pool. Everything a transaction needs after the receive buffer is gone
// (branch, sent-by, method, CSeq, Call-ID, the peer, the message it may have
// to retransmit) is copied into fixed fields of its pool slot. Timers run on
// the one TimerWheel; the transaction user (proxy, registrar) is reached
// through the small TransactionUser interface, and sending goes through
// net::DatagramSender.
//
// Lifetime: a Transaction& handed to the TU stays valid until the TU's
// OnTerminated(txn) returns; the slot is then reused. Transactions terminate
// only from timer callbacks, never inside a call the TU makes, so a TU may
// call SendResponse / SendRequest from any event.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/pool.h"
#include "gw/core/status.h"
#include "gw/core/timer_wheel.h"
#include "gw/net/address.h"
#include "gw/net/udp.h"
#include "gw/sip/message.h"
#include "gw/sip/via.h"
#include "gw_profile.h"

namespace gw::sip {

struct TransactionConfig {
  uint32_t t1_ms = 500;          // RTT estimate
  uint32_t t2_ms = 4000;         // cap of non-INVITE request and INVITE response retransmits
  uint32_t t4_ms = 5000;         // longest a message stays in the network (Timers I, K)
  uint32_t timer_d_ms = 32000;   // UDP: at least 32 s (RFC 3261 17.1.1.2)
  uint32_t timer_c_ms = 181000;  // more than 3 minutes (RFC 3261 16.6 step 11)
  uint32_t retry_after_s = 5;    // Retry-After of the 503 sent when the pool is full
  std::string_view server;       // Server header of stateless responses; may be empty
};

enum class TransactionKind : uint8_t {
  kClientInvite,
  kClientNonInvite,
  kServerInvite,
  kServerNonInvite,
};

enum class TransactionState : uint8_t {
  kCalling,     // client INVITE: request sent, Timers A and B
  kTrying,      // non-INVITE: request sent (client, E and F) or received (server)
  kProceeding,  // a provisional response seen (client) or the INVITE received (server)
  kCompleted,   // a final response: D / K (client), G+H / J (server)
  kConfirmed,   // server INVITE: ACK received, Timer I
  kAccepted,    // RFC 6026: a 2xx to an INVITE, Timer M (client) / L (server)
  kTerminated,  // about to be released
};
const char* TransactionStateName(TransactionState state);

// Which timer made a transaction give up (or, for C, asks the TU to).
enum class Timeout : uint8_t {
  kTimerB,  // client INVITE: no response at all
  kTimerF,  // client non-INVITE: no final response
  kTimerH,  // server INVITE: no ACK for a non-2xx final response
  kTimerC,  // client INVITE of a proxy: no final response for > 3 min
};
const char* TimeoutName(Timeout which);

class TransactionLayer;

class Transaction {
 public:
  static constexpr size_t kMaxBranch = 80;
  static constexpr size_t kMaxHost = 64;
  static constexpr size_t kMaxCallId = 128;
  static constexpr size_t kMaxMethod = 16;
  // The retransmission copy: a whole request (client) or response (server)
  // datagram, with the proxy's Via / Record-Route growth. RFC 3261 18.1.1
  // wants requests over UDP under MTU - 200 bytes, but phones send INVITEs
  // with rich SDP well past that; the profile sets the size.
  static constexpr size_t kMaxMessage = GW_CAP_SIP_MESSAGE;

  // Constructed by the layer's pool only.
  Transaction(TransactionLayer& layer, TransactionKind kind, uint32_t serial);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  TransactionKind kind() const { return kind_; }
  TransactionState state() const { return state_; }
  bool is_client() const {
    return kind_ == TransactionKind::kClientInvite || kind_ == TransactionKind::kClientNonInvite;
  }
  bool is_invite() const {
    return kind_ == TransactionKind::kClientInvite || kind_ == TransactionKind::kServerInvite;
  }
  // A number unique per creation (slots are reused; serials are not).
  uint32_t serial() const { return serial_; }

  Method method() const { return method_; }
  std::string_view method_text() const { return method_text_.view(); }
  std::string_view branch() const { return branch_.view(); }
  // sent-by of the top Via of the request that created the transaction.
  std::string_view sent_by_host() const { return sent_by_host_.view(); }
  uint16_t sent_by_port() const { return sent_by_port_; }
  uint32_t cseq() const { return cseq_; }
  std::string_view call_id() const { return call_id_.view(); }
  // Server: the request's source. Client: where the request goes.
  const net::Endpoint& source() const { return source_; }
  // Where this transaction sends: the request's next hop (client) or the
  // response destination per RFC 3261 18.2.2 / RFC 3581 (server).
  const net::Endpoint& peer() const { return peer_; }
  // The last response code received (client) or sent (server); 0 if none.
  int last_status() const { return last_status_; }
  // The stored copy: the request, then the ACK once a non-2xx final response
  // came (client INVITE); the last response sent (server).
  std::string_view message() const { return message_.view(); }
  // The request was matched by the RFC 2543 rules (no magic cookie).
  bool rfc2543() const { return rfc2543_; }

  // A slot for the TU's per-transaction context; the layer never touches it.
  void* user() const { return user_; }
  void set_user(void* user) { user_ = user; }

 private:
  friend class TransactionLayer;
  // Copies what matching needs from the request that creates the
  // transaction (server) or that it sends (client).
  void SetIdentity(const Message& req, const Via& top_via, std::string_view call_id);
  static void RetransmitFired(void* self);
  static void TimeoutFired(void* self);
  static void TimerCFired(void* self);

  TransactionLayer& layer_;
  TransactionKind kind_;
  TransactionState state_ = TransactionState::kTrying;
  Method method_ = Method::kUnknown;
  bool rfc2543_ = false;
  bool cancel_sent_ = false;  // client INVITE: the 64*T1 wait after CANCEL runs
  int16_t last_status_ = 0;
  uint16_t sent_by_port_ = 0;
  uint32_t serial_;
  uint32_t cseq_ = 0;
  uint32_t interval_ms_ = 0;  // the next retransmit interval (A, E, G)
  // RFC 2543 matching without copies of R-URI, tags and Via: 64-bit FNV-1a
  // digests of (R-URI, From tag, top Via) and of the To tags.
  uint64_t fallback_key_ = 0;
  uint64_t request_to_tag_ = 0;
  uint64_t response_to_tag_ = 0;
  net::Endpoint source_;
  net::Endpoint peer_;
  void* user_ = nullptr;
  Timer retransmit_timer_;  // A, E, G
  Timer timeout_timer_;     // B, D, F, H, I, J, K, L, M
  Timer timer_c_;
  String<kMaxMethod> method_text_;
  String<kMaxBranch> branch_;
  String<kMaxHost> sent_by_host_;
  String<kMaxCallId> call_id_;
  String<kMaxMessage> message_;
};

// The transaction user: the proxy core, the registrar, a UAS. Every event
// is a non-virtual call into a private virtual Do... (NVI).
class TransactionUser {
 public:
  virtual ~TransactionUser() = default;

  // A new request created server transaction txn; answer it through
  // TransactionLayer::SendResponse, now or later (an INVITE should get a
  // 100 Trying within 200 ms, RFC 3261 17.2.1). `request` is valid only
  // during the call. A transaction left without a final response ends by
  // itself (stats().unanswered): 64*T1 + T4 after it began (non-INVITE), or
  // Timer C + 64*T1 + T4 after the TU's last provisional (INVITE).
  void OnRequest(Transaction& txn, const Message& request) { DoOnRequest(txn, request); }
  // A response for client transaction txn that the TU must see: every
  // provisional, the first final one, and every 2xx to an INVITE (RFC 6026).
  void OnResponse(Transaction& txn, const Message& response) { DoOnResponse(txn, response); }
  // Timer B, F or H ended txn (OnTerminated follows), or Timer C fired on a
  // client INVITE, which stays alive: the proxy CANCELs it or answers 408.
  // Timer B also stands for the end of a client INVITE in Proceeding that
  // got no final response: 64*T1 after its CANCEL, or Timer C + 64*T1 + T4
  // after its last provisional when the TU never acted on Timer C.
  void OnTimeout(Transaction& txn, Timeout which) { DoOnTimeout(txn, which); }
  // The transport refused a retransmission as unroutable; OnTerminated follows.
  void OnTransportError(Transaction& txn) { DoOnTransportError(txn); }
  // Last event of txn: the TU drops what it keeps for it; txn is then reused.
  void OnTerminated(Transaction& txn) { DoOnTerminated(txn); }
  // A response that matches no client transaction: a proxy forwards a 2xx
  // statelessly (RFC 3261 16.7 / 17.1.3) and drops the rest.
  void OnStrayResponse(const Message& response, const net::Endpoint& from) {
    DoOnStrayResponse(response, from);
  }
  // An ACK outside a transaction (the ACK for a 2xx, matching nothing or an
  // INVITE server transaction in Accepted): end to end, the TU's business.
  void OnAck(const Message& ack, const net::Endpoint& from) { DoOnAck(ack, from); }

 private:
  virtual void DoOnRequest(Transaction& txn, const Message& request) = 0;
  virtual void DoOnResponse(Transaction& txn, const Message& response) = 0;
  virtual void DoOnTimeout(Transaction& txn, Timeout which) = 0;
  virtual void DoOnTransportError(Transaction& txn) = 0;
  virtual void DoOnTerminated(Transaction& txn) = 0;
  virtual void DoOnStrayResponse(const Message& response, const net::Endpoint& from) = 0;
  virtual void DoOnAck(const Message& ack, const net::Endpoint& from) = 0;
};

struct TransactionStats {
  uint32_t server_created = 0;
  uint32_t client_created = 0;
  uint32_t requests_absorbed = 0;   // retransmitted requests and ACKs a transaction took
  uint32_t responses_absorbed = 0;  // retransmitted final responses a client took
  uint32_t retransmits = 0;      // requests (A, E), responses (G, on a retransmitted request), ACKs
  uint32_t stray_responses = 0;  // passed to OnStrayResponse
  uint32_t acks_to_tu = 0;       // passed to OnAck
  uint32_t refused_pool_full = 0;  // answered 503 statelessly
  uint32_t refused_oversized = 0;  // a field too long to keep: answered 400 statelessly
  uint32_t dropped = 0;            // no usable top Via
  uint32_t timeouts = 0;           // B, F, H
  uint32_t transport_errors = 0;   // unroutable retransmissions: transactions ended
  uint32_t tx_errors = 0;          // sends the transport refused (counted, UDP loss)
  uint32_t tx_responses[7] = {};   // responses the TU sent, by class ([2] = 2xx)
  uint32_t reclaimed = 0;          // lingering (Completed/Confirmed) ended early: pool full
  uint32_t unanswered = 0;         // server transactions the TU never finished: ended
};

class TransactionLayer {
 public:
  static constexpr size_t kCapacity = GW_CAP_TRANSACTIONS;
  // Free slots kept for the TU's client transactions when a new request
  // reaches it: a fork to every contact of an AOR (8) and a spare.
  static constexpr size_t kTuHeadroom = 9;
  static constexpr std::string_view kMagicCookie = "z9hG4bK";

  TransactionLayer(net::DatagramSender& sender, TimerWheel& timers, TransactionUser& tu,
                   const TransactionConfig& config = {});
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;
  // Cancels the timers of live transactions and frees them, without events.
  ~TransactionLayer();

  // Hands the layer a message that parsed (Message::Parse returned Ok),
  // received from `from`. A request is absorbed by its server transaction
  // (the last response resent), or creates one (OnRequest), or, for an ACK
  // outside a transaction, goes to OnAck; when the pool is full it is
  // answered 503 with Retry-After. A response goes to its client
  // transaction or to OnStrayResponse. A message whose top Via does not
  // parse (or that did not parse at all) is dropped and counted: the Stack
  // answers such requests 400 before handing anything over.
  void Receive(const Message& msg, const net::Endpoint& from);

  // Starts a client transaction for `request` (a whole datagram whose top
  // Via carries an RFC 3261 branch, z9hG4bK...) toward `to`, and sends it.
  // `user` initialises the transaction's user slot.
  // InvalidArgument: not a request that parses, an ACK (2xx ACKs go out
  //   through SendStateless), no magic cookie, or a field longer than the
  //   Transaction::kMax... bounds.
  // ResourceExhausted: the pool is full or the request exceeds kMaxMessage.
  // AlreadyExists: a client transaction with this branch and method exists.
  // Unavailable: the transport found no route; nothing was created.
  // (A transport out of buffers is taken as a lost datagram: Timer A/E resends.)
  Result<Transaction*> SendRequest(std::string_view request, const net::Endpoint& to,
                                   void* user = nullptr);

  // Sends `response` (a whole datagram) through server transaction txn and
  // keeps it for retransmission; a final response moves txn to Completed,
  // or to Accepted for a 2xx to an INVITE (after which only further 2xx,
  // the TU's retransmissions, are accepted).
  // InvalidArgument: not a response that parses.
  // FailedPrecondition: txn is a client transaction or past its final response.
  // ResourceExhausted: larger than kMaxMessage (nothing sent, state kept).
  // Unavailable / ResourceExhausted from the transport: the state moved on
  //   and the copy is kept (Timer G resends a non-2xx INVITE response).
  Status SendResponse(Transaction& txn, std::string_view response);

  // Gives up answering server non-INVITE transaction txn: RFC 4320 forbids
  // a 408 to a non-INVITE request, so one whose branches all timed out gets
  // no final response at all. txn absorbs retransmissions for T4 more, then
  // ends (OnTerminated). A final response may still be sent until then.
  // FailedPrecondition: not a server non-INVITE awaiting its final response.
  Status Abandon(Transaction& txn);

  // Arms (or re-arms) Timer C on a client INVITE transaction; the proxy
  // calls it when forwarding and on every provisional response (RFC 3261
  // 16.7 step 2). FailedPrecondition unless a client INVITE in Calling or
  // Proceeding. Timer C stops by itself on a final response.
  Status ArmTimerC(Transaction& txn);
  void StopTimerC(Transaction& txn);

  // Builds the CANCEL for client INVITE txn (RFC 3261 9.1): same R-URI,
  // Call-ID, From, To, CSeq number and Route, the one top Via; the TU sends
  // it with SendRequest (its own client transaction, same branch).
  // FailedPrecondition: not a client INVITE in Proceeding (no provisional
  // response yet means no CANCEL yet, RFC 3261 9.1; after a final, none).
  // ResourceExhausted: out is too small.
  // The first CANCEL built for txn also starts RFC 3261 9.1's wait: if no
  // final response comes within 64*T1, the TU hears a Timer B timeout and
  // the transaction ends (a branch cancelled after a provisional would
  // otherwise hold its slot forever).
  Status BuildCancel(Transaction& txn, StringBase& out);

  // The INVITE server transaction a received CANCEL cancels (RFC 3261 9.2:
  // the 17.2.3 matching with the method taken as INVITE), or nullptr.
  Transaction* FindCancelTarget(const Message& cancel);

  // Sends a datagram outside any transaction (a 2xx ACK, a 2xx forwarded
  // statelessly). The transport's status; counted in tx_errors on failure.
  Status SendStateless(std::string_view datagram, const net::Endpoint& to);

  const TransactionConfig& config() const { return config_; }
  // Timer C of the INVITEs forwarded from now on (SIP.TIMER_C).
  void set_timer_c_ms(uint32_t ms) { config_.timer_c_ms = ms; }
  const TransactionStats& stats() const { return stats_; }
  const PoolStats& pool_stats() const { return pool_.stats(); }
  size_t active() const { return pool_.used(); }
  // Transactions at work (not lingering: those give way to new work).
  size_t in_progress() const;

 private:
  friend class Transaction;

  void ReceiveRequest(const Message& req, const net::Endpoint& from);
  void ReceiveResponse(const Message& resp, const net::Endpoint& from);
  // The server transaction req belongs to; `as_invite` matches as if the
  // method were INVITE (ACK, and CANCEL for FindCancelTarget).
  Transaction* MatchServer(const Message& req, std::string_view top_via, const Via& via,
                           bool as_invite);
  void AbsorbRequest(Transaction& txn, const Message& req, const net::Endpoint& from);
  void RefuseStatelessly(const Message& req, const net::Endpoint& from, const Via& via, int code,
                         std::string_view reason, std::string_view headers);
  void ClientInviteResponse(Transaction& txn, const Message& resp);
  void ClientNonInviteResponse(Transaction& txn, const Message& resp);
  // Builds an ACK (17.1.1.3) or CANCEL (9.1) from the stored request.
  Status BuildFromRequest(const Transaction& txn, std::string_view method, std::string_view to,
                          StringBase& out) const;
  // Sends txn's stored message to its peer. False when the transport
  // reported the peer unroutable (Unavailable).
  bool SendStored(Transaction& txn);
  Status Send(std::string_view datagram, const net::Endpoint& to);

  void OnRetransmitTimer(Transaction& txn);
  void OnTimeoutTimer(Transaction& txn);
  void OnTimerC(Transaction& txn);
  void StartTimeout(Transaction& txn, uint32_t ms);
  // How long a transaction may stay without a final response: a server
  // one waiting for its TU (since its creation or, INVITE, the TU's last
  // provisional), a client INVITE in Proceeding (since the last provisional).
  uint32_t GuardMs(TransactionKind kind) const;
  void Terminate(Transaction& txn);
  // Ends the oldest transaction that only absorbs retransmissions; false
  // when there is none.
  bool ReclaimOldestLingering();

  net::DatagramSender& sender_;
  TimerWheel& timers_;
  TransactionUser& tu_;
  TransactionConfig config_;
  TransactionStats stats_;
  Pool<Transaction, kCapacity> pool_{"TRANSACTIONS"};
  uint32_t next_serial_ = 0;
  uint32_t tag_salt_ = 0;
  bool pool_full_logged_ = false;
  bool unanswered_logged_ = false;  // once per process: the counter has the rest
  // Where ACKs, CANCELs and stateless responses are built.
  String<Transaction::kMaxMessage> scratch_;
};

}  // namespace gw::sip
