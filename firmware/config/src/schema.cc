#include "gw/config/schema.h"

#include "gw/config/text.h"

namespace gw::config {
namespace {

constexpr std::string_view kLogLevels[] = {"ERROR", "WARN", "INFO", "DEBUG"};
// Digest algorithms offered, most preferred first (RFC 8760 2.4). The
// default is MD5 alone: many phones read only the first challenge and know
// only MD5, and some (Debian 12's baresip) refuse a 401 that offers any
// algorithm they do not know. Linphone answers SHA-256 (linphone_test).
constexpr std::string_view kAuthAlgorithms[] = {"MD5,SHA-256", "SHA-256,MD5", "SHA-256", "MD5"};

// What SIP.RATE_ACTION does with a request over the limit.
constexpr std::string_view kRateActions[] = {"REPLY", "DROP"};

constexpr KeySpec kSchema[] = {
    {Key::kSipDomain,
     "SIP.DOMAIN",
     Type::kString,
     1,
     63,
     {},
     "imsgw.local",
     "SIP domain served by the gateway",
     false,
     false},
    {Key::kSipPort,
     "SIP.PORT",
     Type::kInt,
     1,
     65535,
     {},
     "5060",
     "UDP port of the SIP listener",
     true,
     false},
    {Key::kSipAdvertiseAddr,
     "SIP.ADVERTISE_ADDR",
     Type::kIp4,
     0,
     0,
     {},
     "",
     "address put in Via/Contact (empty = own address)",
     false,
     false},
    {Key::kSipAdvertisePort,
     "SIP.ADVERTISE_PORT",
     Type::kInt,
     0,
     65535,
     {},
     "0",
     "port put in Via/Contact (0 = SIP.PORT)",
     false,
     false},
    {Key::kSipTimerC,
     "SIP.TIMER_C",
     Type::kInt,
     10,
     600,
     {},
     "181",
     "seconds an unanswered proxied INVITE rings before 408",
     false,
     false},
    {Key::kMediaPortMin,
     "MEDIA.PORT_MIN",
     Type::kInt,
     1024,
     65535,
     {},
     "10000",
     "first UDP port of the media relay",
     true,
     false},
    {Key::kMediaPortMax,
     "MEDIA.PORT_MAX",
     Type::kInt,
     1024,
     65535,
     {},
     "10063",
     "last UDP port of the media relay",
     true,
     false},
    {Key::kLogLevel, "LOG.LEVEL", Type::kEnum, 0, 0, kLogLevels, "INFO",
     "lowest level kept in the log ring", false, false},
    {Key::kAuthRealm,
     "AUTH.REALM",
     Type::kString,
     1,
     63,
     {},
     "imsgw.local",
     "digest authentication realm",
     false,
     false},
    {Key::kAuthProxyAuth,
     "AUTH.PROXY_AUTH",
     Type::kBool,
     0,
     0,
     {},
     "TRUE",
     "challenge INVITEs with 407",
     false,
     false},
    {Key::kAuthAlgorithms, "AUTH.ALGORITHMS", Type::kEnum, 0, 0, kAuthAlgorithms, "MD5",
     "digest algorithms offered, preferred first", false, false},
    {Key::kNatKeepalive,
     "NAT.KEEPALIVE",
     Type::kInt,
     0,
     3600,
     {},
     "30",
     "seconds between NAT keepalives (0 = off)",
     false,
     false},
    {Key::kSyslogHost,
     "SYSLOG.HOST",
     Type::kIp4,
     0,
     0,
     {},
     "",
     "syslog collector (empty = off)",
     false,
     false},
    {Key::kSntpServer,
     "SNTP.SERVER",
     Type::kIp4,
     0,
     0,
     {},
     "",
     "SNTP server (empty = no wall clock)",
     false,
     false},
    {Key::kTelnetPort,
     "TELNET.PORT",
     Type::kInt,
     1,
     65535,
     {},
     "23",
     "TCP port of the MML telnet server",
     true,
     false},
    {Key::kTftpPort,
     "TFTP.PORT",
     Type::kInt,
     1,
     65535,
     {},
     "69",
     "UDP port of the TFTP server",
     true,
     false},
    {Key::kMmlUser,
     "MML.USER",
     Type::kString,
     1,
     31,
     {},
     "admin",
     "operator login name",
     false,
     false},
    {Key::kMmlPassword,
     "MML.PASSWORD",
     Type::kString,
     1,
     63,
     {},
     "admin",
     "operator password (stored as salted SHA-256)",
     false,
     true},
    {Key::kMmlConsoleLogin,
     "MML.CONSOLE_LOGIN",
     Type::kBool,
     0,
     0,
     {},
     "FALSE",
     "ask for a login on the serial console",
     false,
     false},
    // The rate limit defaults are sized for a site of 256 phones behind one
    // NAT address, so all of them share one bucket. Sustained: phones that
    // re-register every 60 s (2 requests with the challenge), send an
    // OPTIONS keep-alive every 30 s and refresh a subscription each come to
    // about 30 requests a second, plus a few calls (5 requests each): 100/s
    // leaves three times that. Burst: all 256 re-registering at once after a
    // NAT or gateway restart (512 requests with the challenges) plus their
    // subscriptions, a few calls and UDP retransmissions fit in 1000.
    {Key::kSipRateLimit,
     "SIP.RATE_LIMIT",
     Type::kInt,
     0,
     100000,
     {},
     "100",
     "SIP requests per second per source address (0 = no limit)",
     false,
     false},
    {Key::kSipRateBurst,
     "SIP.RATE_BURST",
     Type::kInt,
     1,
     100000,
     {},
     "1000",
     "SIP requests a source may send at once above SIP.RATE_LIMIT",
     false,
     false},
    {Key::kSipRateAction, "SIP.RATE_ACTION", Type::kEnum, 0, 0, kRateActions, "REPLY",
     "over the rate limit: REPLY 503 with Retry-After, or DROP silently", false, false},
    {Key::kMmlAllow,
     "MML.ALLOW",
     Type::kNetList,
     0,
     static_cast<int32_t>(kMaxValueChars),
     {},
     "",
     "networks telnet accepts connections from (empty = any)",
     false,
     false},
    // The relay policy (proxy::Core::MayRelay): empty, the default, means the
    // gateway routes to its own phones and to the peers of its calls only.
    {Key::kSipTrunkNets,
     "SIP.TRUNK_NETS",
     Type::kNetList,
     0,
     static_cast<int32_t>(kMaxValueChars),
     {},
     "",
     "networks of trunks/peers requests may be routed to (empty = none)",
     false,
     false},
    // Concurrent calls per subscriber class (486 past it). BASIC holds two:
    // call waiting and attended transfer need a second call.
    {Key::kCallLimitBasic,
     "CALL.LIMIT_BASIC",
     Type::kInt,
     1,
     64,
     {},
     "2",
     "concurrent calls of a BASIC subscriber",
     false,
     false},
    {Key::kCallLimitPremium,
     "CALL.LIMIT_PREMIUM",
     Type::kInt,
     1,
     64,
     {},
     "4",
     "concurrent calls of a PREMIUM subscriber",
     false,
     false},
    {Key::kCallLimitVip,
     "CALL.LIMIT_VIP",
     Type::kInt,
     1,
     64,
     {},
     "8",
     "concurrent calls of a VIP subscriber",
     false,
     false},
    {Key::kCallLimitEnterprise,
     "CALL.LIMIT_ENTERPRISE",
     Type::kInt,
     1,
     64,
     {},
     "16",
     "concurrent calls of an ENTERPRISE subscriber",
     false,
     false},
};
static_assert(sizeof(kSchema) / sizeof(kSchema[0]) == kKeyCount);

constexpr bool SchemaInKeyOrder() {
  for (size_t i = 0; i < kKeyCount; ++i) {
    if (static_cast<size_t>(kSchema[i].key) != i) return false;
  }
  return true;
}
static_assert(SchemaInKeyOrder(), "kSchema rows must follow the Key enum");

}  // namespace

std::span<const KeySpec> Schema() {
  return kSchema;
}

const KeySpec& SpecOf(Key key) {
  return kSchema[static_cast<size_t>(key)];
}

const KeySpec* FindKey(std::string_view name) {
  for (const KeySpec& spec : kSchema) {
    if (EqualsIgnoreCase(spec.name, name)) return &spec;
  }
  return nullptr;
}

const char* TypeName(Type type) {
  switch (type) {
    case Type::kInt:
      return "INT";
    case Type::kString:
      return "STRING";
    case Type::kBool:
      return "BOOL";
    case Type::kEnum:
      return "ENUM";
    case Type::kIp4:
      return "IP4";
    case Type::kNetList:
      return "NETLIST";
  }
  return "?";
}

}  // namespace gw::config
