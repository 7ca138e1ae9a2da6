#pragma once
// The SIP core: the transaction user that decides what each request gets.
// Today: OPTIONS to the gateway (200), REGISTER (digest auth, then the
// registrar), everything else 501 until the proxy lands here.
#include <cstdint>
#include <string_view>

#include "gw/auth/verifier.h"
#include "gw/core/fixed_string.h"
#include "gw/hal/clock.h"
#include "gw/registrar/registrar.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/users/user_store.h"

namespace gw::proxy {

struct CoreStats {
  uint32_t registers_ok = 0;
  uint32_t challenges = 0;       // 401 sent (no or stale credentials)
  uint32_t auth_failures = 0;    // wrong password, replay, foreign nonce
  uint32_t unknown_users = 0;    // 404
  uint32_t refused_users = 0;    // 403: inactive/suspended, username mismatch
  uint32_t not_implemented = 0;  // 501
};

// Which digest algorithms are offered, and which comes first (AUTH.ALGORITHMS).
struct AuthPolicy {
  bool md5 = true;
  bool sha256 = true;
  bool md5_first = true;
};

struct CoreDeps {
  const AuthPolicy& auth_policy;
  const sip::LocalIdentity& identity;
  users::UserStore& users;
  registrar::Registrar& registrar;
  auth::Verifier& verifier;
  hal::MonotonicClock& clock;
  std::string_view server;  // Server header
};

class Core : public sip::TransactionUser {
 public:
  static constexpr std::string_view kAllow = "REGISTER, OPTIONS, ACK";

  explicit Core(const CoreDeps& deps) : deps_(deps) {}
  // The layer must be attached before traffic arrives.
  void Attach(sip::TransactionLayer& layer) { layer_ = &layer; }
  const CoreStats& stats() const { return stats_; }

 private:
  void DoOnRequest(sip::Transaction& txn, const sip::Message& request) override;
  void DoOnResponse(sip::Transaction&, const sip::Message&) override {}
  void DoOnTimeout(sip::Transaction&, sip::Timeout) override {}
  void DoOnTransportError(sip::Transaction&) override {}
  void DoOnTerminated(sip::Transaction&) override {}
  void DoOnStrayResponse(const sip::Message&, const net::Endpoint&) override {}
  void DoOnAck(const sip::Message&, const net::Endpoint&) override {}

  void HandleRegister(sip::Transaction& txn, const sip::Message& req);
  // 401 with fresh challenges (stale=true when the credentials were right
  // on an expired nonce).
  void Challenge(sip::Transaction& txn, const sip::Message& req, bool stale);
  void Reply(sip::Transaction& txn, const sip::Message& req, int code, std::string_view reason,
             std::string_view headers = {});

  const CoreDeps& deps_;
  sip::TransactionLayer* layer_ = nullptr;
  CoreStats stats_;
  uint32_t tag_salt_ = 0;
  String<sip::Transaction::kMaxMessage> tx_;
  String<1024> headers_;
};

}  // namespace gw::proxy
