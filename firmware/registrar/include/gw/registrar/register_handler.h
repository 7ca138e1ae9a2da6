#pragma once
// A REGISTER server transaction end to end (RFC 3261 10.3):
//   1. Require with an option tag we lack -> 420 + Unsupported (8.2.2.3);
//   2. the Request-URI and the To host must be ours -> else 403;
//   3. the To user must be a subscriber -> else 404;
//   4. digest credentials for it (auth::DigestCheck: 401/400/403) and an
//      active account (403);
//   5. the Registrar applies the contacts (400/423/500/503);
//   6. 200 with every binding of the AOR (Contact), the Path of the request
//      when the phone supports path (RFC 3327 5.3), Supported: path, and
//      Date when the wall clock is known (10.3 step 8).
// The proxy's transaction user hands every REGISTER here.
#include <cstdint>
#include <string_view>

#include "gw/auth/digest_check.h"
#include "gw/core/fixed_string.h"
#include "gw/hal/clock.h"
#include "gw/registrar/register_events.h"
#include "gw/registrar/registrar.h"
#include "gw/sip/replier.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/users/user_store.h"

namespace gw::registrar {

struct RegisterStats {
  uint32_t registered = 0;     // 200 (bindings applied, or a query)
  uint32_t unknown_users = 0;  // 404
  uint32_t foreign = 0;        // 403: Request-URI or To host not ours
  uint32_t bad_extension = 0;  // 420: Require with an unknown option tag
  uint32_t refused = 0;        // 400/423/500/503 from the registrar
  uint32_t too_large = 0;      // 500: the 200 with every contact does not fit a datagram
};

struct RegisterDeps {
  const sip::LocalIdentity& identity;
  users::UserStore& users;
  auth::DigestCheck& digest;
  Registrar& registrar;
  hal::MonotonicClock& clock;
  // The Date header. On a board without a synchronised clock (Synced()
  // false: no SNTP yet) Date is left out rather than sent wrong; RFC 3261
  // 10.3 step 8 makes it a SHOULD.
  hal::WallClock& wall_clock;
  std::string_view server;  // Server header
};

class RegisterHandler {
 public:
  explicit RegisterHandler(const RegisterDeps& deps) : deps_(deps), replier_(deps.server) {}
  // The layer must be attached before the first REGISTER.
  void Attach(sip::TransactionLayer& layer) { replier_.Attach(layer); }

  // Answers req, a REGISTER received on server transaction txn, with its
  // final response (always exactly one).
  void Handle(sip::Transaction& txn, const sip::Message& req);

  const RegisterStats& stats() const { return stats_; }
  // The CDR writer's hook (register_events.h); nullptr: none.
  void SetObserver(RegisterObserver* observer) { observer_ = observer; }

 private:
  class Answer;  // auth::Answerer over one server transaction

  void Reply(sip::Transaction& txn, const sip::Message& req, int code, std::string_view reason,
             std::string_view headers = {});
  // The 200 of step 6 (or 500 if it cannot hold every contact).
  void ReplyOk(sip::Transaction& txn, const sip::Message& req, std::string_view aor,
               uint32_t now_ms);
  // Appends Date, Supported and the echoed Path to headers_.
  void AppendOkExtras(const sip::Message& req);

  // Tells the observer of a final answer (not of a 401).
  void Done(const sip::Transaction& txn, const sip::Message& req, int code);

  const RegisterDeps& deps_;
  sip::Replier replier_;
  RegisterObserver* observer_ = nullptr;
  RegisterStats stats_;
  // Always holds the whole contact list, the Path echo and the rest.
  String<Registrar::kMaxContactList + Binding::kMaxPath + 160> headers_;
};

}  // namespace gw::registrar
