#include "gw/app/system_info.h"

#include "gw/app/gateway.h"
#include "gw/app/version.h"
#include "gw/hal/cpu.h"
#include "gw_profile.h"
#include "lwip/stats.h"

namespace gw::app {
namespace {

constexpr mml::CapacityRow kCapacities[] = {
    {"users", GW_CAP_USERS},
    {"bindings", GW_CAP_BINDINGS},
    {"calls", GW_CAP_CALLS},
    {"relayed calls", GW_CAP_RELAYED_CALLS},
    {"cdrs", GW_CAP_CDRS},
    {"transactions", GW_CAP_TRANSACTIONS},
    {"rate-limited sources", GW_CAP_RATE_SOURCES},
    {"telnet sessions", GW_CAP_TELNET_SESSIONS},
    {"log lines", GW_CAP_LOG_LINES},
    {"pbuf pool", GW_CAP_PBUF_POOL},
    {"lwip heap bytes", GW_CAP_LWIP_HEAP},
};

}  // namespace

std::string_view SystemInfo::DoVersion() {
  return kVersion;
}
std::string_view SystemInfo::DoBoard() {
  return hal::BoardName();
}
std::string_view SystemInfo::DoProfile() {
  return GW_PROFILE_NAME;
}
uint32_t SystemInfo::DoUptimeMs() {
  return gw_.platform_.clock.NowMs() - gw_.boot_ms_;
}
bool SystemInfo::DoWallClockSynced() {
  return gw_.platform_.wall_clock.Synced();
}
int64_t SystemInfo::DoWallClockUnix() {
  return gw_.platform_.wall_clock.NowUnixSeconds();
}
uint32_t SystemInfo::DoCpuLoadPermille() {
  return gw_.loop_.LoadPermille();
}

bool SystemInfo::DoCapacity(uint32_t i, mml::CapacityRow& out) {
  if (i >= sizeof(kCapacities) / sizeof(kCapacities[0])) return false;
  out = kCapacities[i];
  return true;
}

bool SystemInfo::DoPool(uint32_t i, PoolStats& out) {
  // lwIP's own pools, then the firmware's tables as they arrive.
  if (i < MEMP_MAX) {
    const struct stats_mem* m = lwip_stats.memp[i];
    if (m == nullptr) return false;
    out.name = m->name;
    out.capacity = m->avail;
    out.used = m->used;
    out.high_water = m->max;
    out.refused = m->err;
    return true;
  }
  if (i == MEMP_MAX + 1) {
    out = gw_.transactions_.pool_stats();
    return true;
  }
  if (i == MEMP_MAX + 2) {
    const registrar::LocationStats& l = gw_.location_.stats();
    out.name = "BINDINGS";
    out.capacity = static_cast<uint32_t>(registrar::LocationTable::kCapacity);
    out.used = static_cast<uint32_t>(gw_.location_.size());
    out.high_water = l.high_water;
    out.refused = l.refused_full;
    return true;
  }
  if (i == MEMP_MAX + 3) {
    out.name = "USERS";
    out.capacity = static_cast<uint32_t>(users::UserStore::kCapacity);
    out.used = static_cast<uint32_t>(gw_.users_.size());
    out.high_water = out.used;
    out.refused = gw_.users_.add_refused();
    return true;
  }
  if (i == MEMP_MAX + 4) {
    out.name = "CALLS";
    out.capacity = static_cast<uint32_t>(proxy::Core::kMaxCalls);
    out.used = static_cast<uint32_t>(gw_.core_.active_calls());
    out.high_water = gw_.core_.call_stats().high_water;
    out.refused = gw_.core_.call_stats().refused_full;
    return true;
  }
  if (i == MEMP_MAX + 5) {
    out.name = "PROXY_CONTEXTS";
    out.capacity = static_cast<uint32_t>(proxy::Core::kContexts);
    out.used = static_cast<uint32_t>(gw_.core_.active_contexts());
    out.high_water = gw_.core_.stats().contexts_high_water;
    out.refused = gw_.core_.stats().contexts_full;
    return true;
  }
  if (i == MEMP_MAX + 6) {
    out = gw_.core_.held_pool_stats();
    return true;
  }
  if (i == MEMP_MAX) {
    out.name = "LWIP_HEAP";
    out.capacity = static_cast<uint32_t>(lwip_stats.mem.avail);
    out.used = static_cast<uint32_t>(lwip_stats.mem.used);
    out.high_water = static_cast<uint32_t>(lwip_stats.mem.max);
    out.refused = lwip_stats.mem.err;
    return true;
  }
  return false;
}

bool SystemInfo::DoCounter(uint32_t i, mml::CounterRow& out) {
  const sip::SipStats& s = gw_.sip_.stats();
  const net::NetStats& n = gw_.net_.stats();
  const net::UdpStats& u = gw_.sip_socket_.stats();
  const net::TelnetStats& t = gw_.telnet_.stats();
  const sip::TransactionStats& x = gw_.transactions_.stats();
  const proxy::CoreStats& c = gw_.core_.stats();
  const proxy::CallStats& k = gw_.core_.call_stats();
  const registrar::LocationStats& l = gw_.location_.stats();
  const registrar::RegisterStats& g = gw_.register_.stats();
  const auth::DigestCheckStats& d = gw_.digest_.stats();
  // Fixed rows first, then one row per SIP method received.
  const mml::CounterRow fixed[] = {
      {"sip", "rx datagrams", s.rx_datagrams},
      {"sip", "rx responses", s.rx_responses},
      {"sip", "rx bad responses", s.rx_bad_responses},
      {"sip", "rx keepalive", s.rx_keepalives},
      {"sip", "rx bad (400)", s.rx_bad_requests},
      {"sip", "rx garbage", s.rx_garbage},
      {"sip", "tx 1xx", s.tx_responses[1] + x.tx_responses[1]},
      {"sip", "tx 2xx", s.tx_responses[2] + x.tx_responses[2]},
      {"sip", "tx 3xx", s.tx_responses[3] + x.tx_responses[3]},
      {"sip", "tx 4xx", s.tx_responses[4] + x.tx_responses[4]},
      {"sip", "tx 5xx", s.tx_responses[5] + x.tx_responses[5]},
      {"sip", "tx 6xx", s.tx_responses[6] + x.tx_responses[6]},
      {"sip", "tx errors", s.tx_errors},
      {"sip.udp", "rx too big", u.rx_too_big},
      {"sip", "rx too big (413)", s.rx_too_large},
      {"sip.rate", "refused (503)", gw_.rate_limiter_.stats().refused},
      {"sip.rate", "dropped", gw_.rate_limiter_.stats().dropped},
      // A cache, not a pool: sources stay until their entry is reused.
      {"sip.rate", "sources tracked", static_cast<uint32_t>(gw_.rate_limiter_.size())},
      {"sip.rate", "sources high water", gw_.rate_limiter_.stats().high_water},
      {"sip.rate", "sources evicted", gw_.rate_limiter_.stats().evicted},
      {"sip.txn", "server created", x.server_created},
      {"sip.txn", "client created", x.client_created},
      {"sip.txn", "absorbed", x.requests_absorbed},
      {"sip.txn", "retransmits", x.retransmits},
      {"sip.txn", "refused (503)", x.refused_pool_full},
      {"sip.txn", "reclaimed", x.reclaimed},
      {"sip.txn", "unanswered (ended)", x.unanswered},
      {"sip.txn", "timeouts", x.timeouts},
      {"sip.txn", "dropped", x.dropped},
      {"reg", "registered", g.registered},
      {"reg", "challenged", d.challenges},
      // Digest failures and refusals of REGISTER and of 407 proxy auth.
      {"reg", "auth failed", d.failures},
      {"reg", "unknown user", g.unknown_users + c.unknown_users},
      {"reg", "refused user", d.refused + g.foreign},
      {"reg", "refused (4xx/5xx)", g.refused},
      {"reg", "420 bad ext", g.bad_extension + c.bad_extension},
      {"reg", "list too large", g.too_large},
      {"reg", "expired", l.expired},
      {"nat", "keepalives", gw_.keepalive_.stats().sent},
      {"nat", "keepalive acks", s.rx_keepalive_replies},
      {"sip", "tx 501", c.not_implemented},
      {"proxy", "forwarded", c.forwarded},
      {"proxy", "responses fwd", c.responses_forwarded},
      {"proxy", "2xx ACKs fwd", c.acks_forwarded},
      {"proxy", "483 hops", c.too_many_hops},
      {"proxy", "482 loops", c.loops},
      {"proxy", "480 offline", c.unavailable},
      {"proxy", "403 foreign", c.foreign},
      {"proxy", "403 relay refused", c.relay_refused},
      {"proxy", "407 challenges", d.proxy_challenges},
      {"proxy", "503 busy", c.contexts_full},
      {"proxy", "timer C", c.timer_c},
      {"proxy", "CANCELs sent", c.cancels_sent},
      {"proxy", "dropped", c.dropped},
      {"proxy", "too large", c.too_large},
      {"proxy", "held refused", c.held_refused},
      {"proxy", "no 408 (4320)", c.no_answer_non_invite},
      {"call", "started", k.started},
      {"call", "answered", k.answered},
      {"call", "486 limit", k.refused_limit},
      {"call", "503 full", k.refused_full},
      {"call", "high water", k.high_water},
      {"net", "rx frames", n.rx_frames},
      {"net", "rx no pbuf", n.rx_no_pbuf},
      {"net", "rx errors", n.rx_errors},
      {"net", "tx frames", n.tx_frames},
      {"net", "tx errors", n.tx_errors},
      {"lwip.ip", "recv", lwip_stats.ip.recv},
      {"lwip.ip", "drop", lwip_stats.ip.drop},
      {"lwip.ip", "xmit", lwip_stats.ip.xmit},
      {"lwip.ipfrag", "recv", lwip_stats.ip_frag.recv},
      {"lwip.ipfrag", "drop", lwip_stats.ip_frag.drop},
      {"lwip.ipfrag", "mem err", lwip_stats.ip_frag.memerr},
      {"lwip.udp", "recv", lwip_stats.udp.recv},
      {"lwip.udp", "drop", lwip_stats.udp.drop},
      {"lwip.udp", "xmit", lwip_stats.udp.xmit},
      {"lwip.tcp", "recv", lwip_stats.tcp.recv},
      {"lwip.tcp", "drop", lwip_stats.tcp.drop},
      {"lwip.tcp", "xmit", lwip_stats.tcp.xmit},
      {"lwip.etharp", "recv", lwip_stats.etharp.recv},
      {"lwip.etharp", "drop", lwip_stats.etharp.drop},
      {"lwip.icmp", "recv", lwip_stats.icmp.recv},
      {"telnet", "accepted", t.accepted},
      {"telnet", "refused busy", t.refused},
      {"telnet", "refused network", t.refused_network},
      {"telnet", "refused locked", t.refused_handler},
      {"mml", "login failures", gw_.login_guard_.stats().failures},
      {"mml", "lockouts", gw_.login_guard_.stats().lockouts},
      {"mml", "logins refused", gw_.login_guard_.stats().refused},
      {"telnet", "tx truncated", t.tx_truncated},
      {"log", "lines written", gw_.log_.written()},
  };
  constexpr uint32_t kFixed = sizeof(fixed) / sizeof(fixed[0]);
  if (i < kFixed) {
    out = fixed[i];
    return true;
  }
  uint32_t m = i - kFixed + 1;  // skip Method::kUnknown, listed last
  if (m < static_cast<uint32_t>(sip::Method::kCount)) {
    out = {"sip.rx", sip::MethodName(static_cast<sip::Method>(m)), s.rx_requests[m]};
    return true;
  }
  if (m == static_cast<uint32_t>(sip::Method::kCount)) {
    out = {"sip.rx", "other methods", s.rx_requests[0]};
    return true;
  }
  return false;
}

}  // namespace gw::app
