#pragma once
// REGISTER processing (RFC 3261 10.3 steps 5-8) over the location table.
// Authentication, the domain check and the subscriber lookup (steps 1-4) are
// the caller's (RegisterHandler): it passes an AOR it has authorised.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/net/address.h"
#include "gw/registrar/location.h"
#include "gw/sip/message.h"

namespace gw::registrar {

struct RegistrarConfig {
  uint32_t min_expires = 60;        // shorter requests get 423 (Min-Expires)
  uint32_t max_expires = 7200;      // longer ones are shortened
  uint32_t default_expires = 3600;  // no (or a malformed) expires parameter and Expires
};

struct RegisterResult {
  int code = 200;
  std::string_view reason = "OK";
  uint32_t min_expires = 0;  // set with 423
  size_t added = 0, refreshed = 0, removed = 0;
  size_t replaced = 0;  // bindings of the AOR given up for new ones (AOR or table full)
};

class Registrar {
 public:
  // Contacts one REGISTER may carry (and one AOR may hold).
  static constexpr size_t kMaxContacts = LocationTable::kMaxPerAor;
  // The longest line AppendContacts writes for one binding:
  // Contact: <uri>;expires=N;q=0.NNN;+sip.instance="<...>";reg-id=N CRLF.
  static constexpr size_t kMaxContactLine = Binding::kMaxContact + Binding::kMaxInstance + 96;
  // Room that always holds the whole contact list of one AOR.
  static constexpr size_t kMaxContactList = kMaxContacts * kMaxContactLine;

  Registrar(LocationTable& table, const RegistrarConfig& config) : table_(table), config_(config) {}

  // Applies req's Contact headers to aor's bindings, all or nothing:
  //   200 applied (also a query: no Contact); a new contact when the AOR
  //       holds kMaxPerAor bindings, or the table is full, replaces the
  //       AOR's least recently refreshed binding;
  //   400 malformed Contact or Path, a field longer than a binding holds,
  //       '*' with other contacts or Expires != 0;
  //   423 an expiry under Min-Expires (min_expires set);
  //   500 a CSeq not above the binding's for the same Call-ID (out of order);
  //   503 more than kMaxContacts contacts, or the table is full and the
  //       AOR has no binding to give up.
  // A malformed Expires header or expires parameter ("abc", "-1") counts
  // as absent, hence as the default (RFC 3261 20.19 says 3600, the default
  // unless configured otherwise); values above 2^32-1 are 2^32-1 (20.19),
  // then shortened to max_expires like any long expiry.
  RegisterResult Handle(const sip::Message& req, std::string_view aor, const net::Endpoint& source,
                        uint32_t now_ms);

  // Appends "Contact: <uri>;expires=N[;q=..][;+sip.instance=..][;reg-id=N]\r\n"
  // for each current binding of aor (kMaxContactList always holds them).
  // ResourceExhausted if out cannot hold them all.
  Status AppendContacts(std::string_view aor, uint32_t now_ms, StringBase& out);

 private:
  struct Pending;  // one REGISTER being applied (src/registrar.cc)

  // Each returns 0 when the step passed, else the status code (r says why).
  int ReadRequest(const sip::Message& req, Pending& p, RegisterResult& r);
  int ReadContact(std::string_view value, Pending& p, RegisterResult& r);
  int RemoveAll(Pending& p, RegisterResult& r);
  int MatchAndCheck(Pending& p, RegisterResult& r);
  void Commit(Pending& p, RegisterResult& r);
  void Store(Binding& b, size_t entry, const Pending& p);

  LocationTable& table_;
  const RegistrarConfig& config_;
};

}  // namespace gw::registrar
