#pragma once
// A subscriber of the gateway and the rules its fields obey. Passwords are
// never kept: only HA1 = H(username ":" realm ":" password), in MD5 (RFC 2617)
// and SHA-256 (RFC 7616) form, as lower-case hex.
//
// HA1 depends on the realm. It is computed with AUTH.REALM as it is when the
// password is given (ADD/MOD USER, an import with "password"); changing
// AUTH.REALM later invalidates every stored HA1, and those users can no longer
// authenticate until their password is set again. The store remembers, per
// user, which realm its HA1 was made with (UserStore::RealmMismatches).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"

namespace gw::users {

inline constexpr size_t kMaxUsername = 32;
inline constexpr size_t kMaxDisplayName = 48;  // bytes of UTF-8
inline constexpr size_t kMaxPassword = 64;
inline constexpr size_t kMd5Hex = 32;
inline constexpr size_t kSha256Hex = 64;

enum class UserStatus : uint8_t { kActive, kInactive, kSuspended };
enum class Class : uint8_t { kBasic, kPremium, kVip, kEnterprise };
inline constexpr size_t kStatusCount = 3;
inline constexpr size_t kClassCount = 4;

// Plain fixed arrays (NUL-terminated) rather than String<N>: the table holds
// GW_CAP_USERS of these, so per-field bookkeeping would cost kilobytes.
struct Subscriber {
  char username[kMaxUsername + 1] = {};
  char display_name[kMaxDisplayName + 1] = {};
  char ha1_md5[kMd5Hex + 1] = {};
  char ha1_sha256[kSha256Hex + 1] = {};
  UserStatus status = UserStatus::kActive;
  Class user_class = Class::kBasic;

  std::string_view Username() const { return username; }
  std::string_view DisplayName() const { return display_name; }
  std::string_view Ha1Md5() const { return ha1_md5; }
  std::string_view Ha1Sha256() const { return ha1_sha256; }
};

// "ACTIVE", "INACTIVE", "SUSPENDED" / "BASIC", "PREMIUM", "VIP", "ENTERPRISE".
const char* StatusName(UserStatus status);
const char* ClassName(Class user_class);
// Case-insensitive; false for anything else.
bool ParseStatus(std::string_view text, UserStatus& out);
bool ParseClass(std::string_view text, Class& out);
// The spellings in enum order, for MML ENUM parameters.
extern const std::string_view kStatusNames[kStatusCount];
extern const std::string_view kClassNames[kClassCount];

// Concurrent calls a user of each class may have (the proxy answers 486
// past it). BASIC holds two: call waiting and attended transfer need a
// second call while the first is on hold.
struct CallLimits {
  uint32_t per_class[kClassCount] = {2, 4, 8, 16};  // BASIC, PREMIUM, VIP, ENTERPRISE
  uint32_t For(Class user_class) const {
    const auto i = static_cast<size_t>(user_class);
    return i < kClassCount ? per_class[i] : per_class[0];
  }
};

// Which field a value was refused for, and the rule it broke (the text of
// the allowed values, without the field name: each front end names the
// field its own way, USERNAME in MML, "username" in JSON).
enum class Field : uint8_t {
  kNone,
  kUsername,
  kDisplayName,
  kPassword,
  kHa1Md5,
  kHa1Sha256,
  kStatus,
  kClass,
};
const char* JsonFieldName(Field field);

struct Violation {
  Field field = Field::kNone;
  String<120> rule;
};

// Each: Ok, or InvalidArgument/OutOfRange with *why filled (may be null).
// username: 1..32 of letters, digits, '.', '_', '-'.
Status CheckUsername(std::string_view text, Violation* why);
// display name: 0..48 bytes of well-formed UTF-8 without control characters.
Status CheckDisplayName(std::string_view text, Violation* why);
// password: 1..64 printable ASCII characters.
Status CheckPassword(std::string_view text, Violation* why);
// HA1: exactly 32 (MD5) / 64 (SHA-256) hex digits, either case.
Status CheckHa1(Field field, std::string_view text, Violation* why);

// HA1 = H(username:realm:password) as lower-case hex into the subscriber.
void ComputeHa1(std::string_view username, std::string_view realm, std::string_view password,
                Subscriber& out);

// Copies `text` (already checked) into a fixed field, NUL-terminated; hex
// is folded to lower case when `lower` is set.
void CopyField(char* out, size_t capacity, std::string_view text, bool lower = false);

}  // namespace gw::users
