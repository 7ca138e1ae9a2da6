#pragma once
// The SIP core: the transaction user that decides what each request gets.
// OPTIONS to the gateway (200, or 420 for an unknown Require), REGISTER
// (handed whole to registrar::RegisterHandler), and every other request through the stateful proxy
// of RFC 3261 section 16 (src/proxy.cc): location lookup and parallel forking for the local domain,
// loose routing (strict-router compatibility), Record-Route on
// dialog-creating requests, 483 / 482, 100 Trying, best-response selection
// (with the challenges of every 401/407 branch sent up together), CANCEL,
// Timer C, 407 proxy authentication for local callers.
//
// Not done here (documented limits): requests for other domains get 403 (no
// outbound proxying); hosts in URIs must be IPv4 literals (no DNS); a
// CANCELed branch whose UAS never answers keeps its client transaction until
// its own timers end it; RMV CALL's BYEs carry the route set of the other
// record-routing proxies but assume they are loose routers.
#include <cstdint>
#include <string_view>

#include "gw/auth/digest_check.h"
#include "gw/auth/verifier.h"
#include "gw/core/fixed_string.h"
#include "gw/core/pool.h"
#include "gw/hal/clock.h"
#include "gw/proxy/call_events.h"
#include "gw/proxy/calls.h"
#include "gw/registrar/location.h"
#include "gw/registrar/register_handler.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/users/user_store.h"

namespace gw::proxy {

struct RoutePlan;  // src/proxy.cc: the Route values and what routing takes out

// REGISTER and digest counters are the registrar's (RegisterStats) and the
// digest check's (auth::DigestCheckStats).
struct CoreStats {
  uint32_t unknown_users = 0;    // 404: a request for a user we do not have
  uint32_t bad_extension = 0;    // 420: OPTIONS to us with an unknown Require
  uint32_t not_implemented = 0;  // 501
  // Proxy (RFC 3261 section 16).
  uint32_t forwarded = 0;             // branches created (requests sent on)
  uint32_t responses_forwarded = 0;   // responses passed upstream (also stateless 2xx)
  uint32_t acks_forwarded = 0;        // 2xx ACKs sent on statelessly
  uint32_t too_many_hops = 0;         // 483
  uint32_t loops = 0;                 // 482
  uint32_t unavailable = 0;           // 480: known user, no binding
  uint32_t foreign = 0;               // 403: not our domain, no outbound proxying
  uint32_t relay_refused = 0;         // 403: routed toward an address the relay policy refuses
  uint32_t contexts_full = 0;         // 503: no response context free
  uint32_t contexts_high_water = 0;   // most response contexts in use at once
  uint32_t timer_c = 0;               // Timer C fired on a branch
  uint32_t cancels_sent = 0;          // CANCELs sent to pending branches
  uint32_t cancels_received = 0;      // CANCELs matched to a proxied INVITE
  uint32_t dropped = 0;               // unroutable ACKs, stray non-2xx responses
  uint32_t too_large = 0;             // 413/513/502: too large to forward
  uint32_t no_answer_non_invite = 0;  // non-INVITEs left unanswered: no 408 (RFC 4320)
  uint32_t held_refused = 0;          // a best response rebuilt: no buffer to hold it whole
};

// What the proxy does beyond RFC 3261 defaults; the app updates it from the config.
struct ProxyPolicy {
  bool proxy_auth = true;    // AUTH.PROXY_AUTH: 407 for INVITE/MESSAGE from local users
  uint32_t branch_salt = 0;  // per boot (the DRBG): branches differ across reboots
  // SIP.TRUNK_NETS: where requests may go that are not for our phones (trunks,
  // peer servers). Empty: nowhere (see Core::MayRelay).
  net::Ip4NetList trunks;
  users::CallLimits call_limits;  // concurrent calls per class of a local caller
};

// One branch of a proxied request: a client transaction to one target.
struct Branch {
  sip::Transaction* txn = nullptr;  // live client transaction, or nullptr
  int16_t code = 0;                 // final status (received or stood in for); 0: pending
  bool cancel_wanted = false;       // CANCEL as soon as a provisional arrives (RFC 3261 9.1)
  bool timed_out = false;           // Timer C CANCELled it: its 487 stands for a 408 (16.8)
};

// The response context of RFC 3261 16.2: a proxied server transaction, its
// branches, and the best final response so far (code and reason only: a
// final response that is not forwarded as it arrives is rebuilt from the
// skeleton, a 100 to the request holding its Via, From, To, Call-ID, CSeq).
struct ResponseContext {
  static constexpr size_t kMaxSkeleton = 1024;
  static constexpr size_t kMaxChallenges = 768;
  static constexpr size_t kMaxBranches = registrar::LocationTable::kMaxPerAor;

  bool in_use = false;
  bool invite = false;
  bool final_sent = false;
  bool cancelled = false;  // the caller CANCELled: branches that end unanswered make a 487
  bool message = false;    // a MESSAGE whose outcome is still to be reported
  Direction dir = Direction::kToCallee;      // which way the request goes (its call's sides)
  String<users::kMaxUsername> message_from;  // the MESSAGE's From and R-URI users
  String<users::kMaxUsername> message_to;
  uint8_t branch_count = 0;
  int16_t best_code = 0;
  // best_code is our own 503 (a branch we could not send: no transaction
  // left), not one received: that one is answered 503 with Retry-After, a
  // received 503 becomes 500 (16.7 step 6).
  bool best_local = false;
  int16_t call = -1;                   // index in the calls table, -1: none
  sip::Transaction* server = nullptr;  // nullptr once terminated
  // The best final response so far, whole, while other branches are pending.
  String<sip::Transaction::kMaxMessage>* held = nullptr;
  Branch branches[kMaxBranches];
  String<32> best_reason;
  String<kMaxSkeleton> skeleton;
  // WWW-/Proxy-Authenticate lines of the 401/407s not forwarded as they
  // arrived, for the one that is (RFC 3261 16.7 step 7).
  String<kMaxChallenges> challenges;
};

struct CoreDeps {
  auth::DigestCheck& digest;  // 407 proxy authentication
  const sip::LocalIdentity& identity;
  users::UserStore& users;
  registrar::RegisterHandler& registrar;  // every REGISTER
  auth::Verifier& verifier;
  hal::MonotonicClock& clock;
  std::string_view server;  // Server header
  const ProxyPolicy& proxy;
  registrar::LocationTable& location;
};

class Core : public sip::TransactionUser {
 public:
  static constexpr std::string_view kAllow =
      "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY, "
      "INFO, REGISTER";
  // One context per proxied request in flight: each holds at least a server
  // and a client transaction.
  static constexpr size_t kContexts = GW_CAP_TRANSACTIONS / 2;
  // Transactions proxying may not take: REGISTER, OPTIONS and the like
  // always find room, however many forwarded requests wait for answers
  // (a burst of requests to phones that never answer would otherwise hold
  // the whole pool for Timer F/B, 32 s).
  static constexpr size_t kLocalReserve = GW_CAP_TRANSACTIONS / 8;
  // Best responses held whole while a fork waits for its other branches:
  // only forks need one, and only until their last branch answers.
  static constexpr size_t kHeldResponses = GW_CAP_TRANSACTIONS / 16;

  explicit Core(const CoreDeps& deps) : deps_(deps) {}
  // The layer must be attached before traffic arrives.
  void Attach(sip::TransactionLayer& layer);
  const CoreStats& stats() const { return stats_; }
  // Response contexts in use (0 when nothing is being proxied).
  size_t active_contexts() const;
  // The buffers that hold a fork's best response whole (HELD_RESPONSES).
  const PoolStats& held_pool_stats() const { return held_.stats(); }

  // Calls (src/calls.cc).
  static constexpr size_t kMaxCalls = GW_CAP_CALLS;
  size_t active_calls() const;
  const CallStats& call_stats() const { return call_stats_; }
  template <typename Fn>
  void ForEachCall(Fn&& fn) const {
    for (const CallRecord& c : calls_)
      if (c.in_use) fn(c);
  }
  // Ends one call: BYE to both sides of a confirmed one (built from the
  // dialog state), 487 upstream and CANCEL downstream for an early one.
  // NotFound: no call with this Call-ID.
  Status HangUp(std::string_view call_id);
  // Ends every call; returns how many.
  size_t HangUpAll();

  // The call-event seam (call_events.h): at most kMaxObservers observers
  // (the media relay, the CDR writer), added before traffic arrives.
  // ResourceExhausted when full.
  static constexpr size_t kMaxObservers = 4;
  Status AddObserver(CallObserver& observer);
  // At most one rewriter of forwarded bodies (the media relay); nullptr: none.
  void SetBodyRewriter(BodyRewriter* rewriter) { rewriter_ = rewriter; }

 private:
  void DoOnRequest(sip::Transaction& txn, const sip::Message& request) override;
  void DoOnResponse(sip::Transaction& txn, const sip::Message& response) override;
  void DoOnTimeout(sip::Transaction& txn, sip::Timeout which) override;
  void DoOnTransportError(sip::Transaction& txn) override;
  void DoOnTerminated(sip::Transaction& txn) override;
  void DoOnStrayResponse(const sip::Message& response, const net::Endpoint& from) override;
  void DoOnAck(const sip::Message& ack, const net::Endpoint& from) override;

  bool ForGateway(const sip::Message& req) const;

  // Proxy (src/proxy.cc).
  void HandleProxy(sip::Transaction& txn, const sip::Message& req);
  bool Forwardable(sip::Transaction& txn, const sip::Message& req);
  void ForwardRouted(sip::Transaction& txn, const sip::Message& req, const RoutePlan& plan,
                     bool initial);
  void ForwardToUser(sip::Transaction& txn, const sip::Message& req, const RoutePlan& plan);
  bool NextHop(std::string_view uri, net::Endpoint& to);
  // The relay policy (src/proxy.cc): false when `to` is no target of ours.
  bool MayRelay(const sip::Message& req, bool initial, const net::Endpoint& to);
  void RefuseRelay(const sip::Message& req, const net::Endpoint& to, const net::Endpoint& from);
  void HandleCancel(sip::Transaction& txn, const sip::Message& req);
  // False when req was answered (407, 403, 400).
  bool ProxyAuthorized(sip::Transaction& txn, const sip::Message& req);
  ResponseContext* NewContext(sip::Transaction& txn, const sip::Message& req);
  const StringBase* NewBody(const sip::Message& msg, Direction dir);
  void NoteMessageUsers(ResponseContext& ctx, const sip::Message& req);
  void MessageDone(ResponseContext& ctx, int code);
  void MessageRefused(const sip::Message& req, int code);
  // Creates one branch toward `to` with R-URI `ruri`; on failure the branch
  // holds the status that stands for it (480, 503, 500).
  void AddBranch(ResponseContext& ctx, const sip::Message& req, const RoutePlan& plan,
                 std::string_view ruri, const net::Endpoint& to);
  // A branch that never left: it answers code itself, as a local result.
  void SettleLocally(ResponseContext& ctx, Branch& b, int code, std::string_view reason);
  void OnBranchFinal(ResponseContext& ctx, Branch& b, int code, std::string_view reason,
                     const sip::Message* resp);
  // Sends the best response when no branch is pending.
  void MaybeFinish(ResponseContext& ctx);
  void KeepChallenges(ResponseContext& ctx, const sip::Message& resp);
  bool Hold(ResponseContext& ctx, const sip::Message& resp);
  void ReleaseHeld(ResponseContext& ctx);
  // headers: extra lines, each ending in CRLF.
  void SendFinal(ResponseContext& ctx, int code, std::string_view reason,
                 std::string_view headers = {});
  void ForwardUpstream(ResponseContext& ctx, const sip::Message& resp);
  // Sends the response in tx_ to the address its top Via names.
  void SendUpstreamStateless();
  void CancelPending(ResponseContext& ctx);
  void SendCancel(Branch& b);
  void ReleaseIfDone(ResponseContext& ctx);
  Branch* BranchOf(ResponseContext& ctx, const sip::Transaction& txn);

  // Calls (src/calls.cc). False when req was answered (486, 503).
  bool StartCall(sip::Transaction& txn, const sip::Message& req, ResponseContext* ctx);
  void ConfirmCall(ResponseContext& ctx, const sip::Message& resp, const sip::Transaction& branch);
  // The early call of ctx is over: final answer `code` went (or goes) up.
  void FailCall(ResponseContext& ctx, int code);
  CallRecord* CallOf(const sip::Message& msg);
  static Direction DirectionOf(const CallRecord& call, const sip::Message& req);
  // An in-dialog request passing through: CSeq tracking, BYE ends the call.
  void SeeInDialog(const sip::Message& req);
  // Tells the observers, then clears the record.
  void EndCall(CallRecord& call, CallEndReason reason, int code);
  void SendBye(const CallRecord& call, bool to_callee);

  void LocalTag(const sip::Transaction& txn, String<8>& out) const;
  // OPTIONS addressed to the gateway: 200 with what we allow and support.
  void AnswerOptions(sip::Transaction& txn, const sip::Message& req);
  // auth::DigestCheck answers through Reply.
  class ReplyAnswer final : public auth::Answerer {
   public:
    ReplyAnswer(Core& core, sip::Transaction& txn, const sip::Message& req)
        : core_(core), txn_(txn), req_(req) {}

   private:
    void DoAnswer(int code, std::string_view reason, std::string_view headers) override {
      core_.Reply(txn_, req_, code, reason, headers);
    }
    Core& core_;
    sip::Transaction& txn_;
    const sip::Message& req_;
  };
  void Reply(sip::Transaction& txn, const sip::Message& req, int code, std::string_view reason,
             std::string_view headers = {});

  const CoreDeps& deps_;
  sip::TransactionLayer* layer_ = nullptr;
  CoreStats stats_;
  uint32_t branch_counter_ = 0;
  ResponseContext contexts_[kContexts];
  CallRecord calls_[kMaxCalls];
  CallStats call_stats_;
  CallObserver* observers_[kMaxObservers] = {};
  size_t observer_count_ = 0;
  BodyRewriter* rewriter_ = nullptr;
  bool hanging_up_ = false;                     // inside HangUp: the call ends by the operator
  String<sip::Transaction::kMaxMessage> body_;  // a rewritten body
  String<sip::Transaction::kMaxMessage> tx_;
  String<1024> headers_;
  Pool<String<sip::Transaction::kMaxMessage>, kHeldResponses> held_{"HELD_RESPONSES"};
  String<24> retry_after_;  // "Retry-After: N\r\n" of our own 503s
};

}  // namespace gw::proxy
