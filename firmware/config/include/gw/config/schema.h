#pragma once
// The fixed schema of configuration keys: one constexpr table, in the order
// of the Key enum. Adding a key = one enum value + one row.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gw::config {

enum class Key : uint8_t {
  kSipDomain,
  kSipPort,
  kSipAdvertiseAddr,
  kSipAdvertisePort,
  kSipTimerC,
  kMediaPortMin,
  kMediaPortMax,
  kLogLevel,
  kAuthRealm,
  kAuthProxyAuth,
  kAuthAlgorithms,
  kNatKeepalive,
  kSyslogHost,
  kSntpServer,
  kTelnetPort,
  kTftpPort,
  kMmlUser,
  kMmlPassword,
  kMmlConsoleLogin,
  kSipRateLimit,
  kSipRateBurst,
  kSipRateAction,
  kMmlAllow,
  kSipTrunkNets,
  kCallLimitBasic,
  kCallLimitPremium,
  kCallLimitVip,
  kCallLimitEnterprise,
  kCount,
};
inline constexpr size_t kKeyCount = static_cast<size_t>(Key::kCount);

// kNetList: "a.b.c.d[/len][,...]" (net::ParseIp4NetList), at most
// net::Ip4NetList::kMax networks and KeySpec::max characters; stored in the
// canonical form "net,net" (a /32 as a bare address). What an empty list
// means (any or none) is the key's to say in its help.
enum class Type : uint8_t { kInt, kString, kBool, kEnum, kIp4, kNetList };

struct KeySpec {
  Key key;
  std::string_view name;
  Type type;
  int32_t min;                               // INT: smallest value; STRING: shortest length
  int32_t max;                               // INT: largest value; STRING, NETLIST: longest length
  std::span<const std::string_view> values;  // ENUM: allowed spellings
  std::string_view default_text;
  std::string_view help;
  bool restart;  // takes effect after a restart only
  bool secret;   // write-only: stored hashed, displayed masked
};

// Longest stored text of any key (the password hash "sha256$salt$hash").
inline constexpr size_t kMaxValueChars = 104;

std::span<const KeySpec> Schema();
const KeySpec& SpecOf(Key key);
// Case-insensitive lookup; nullptr if unknown.
const KeySpec* FindKey(std::string_view name);
const char* TypeName(Type type);

}  // namespace gw::config
