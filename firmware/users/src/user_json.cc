// JSON import and export of the user table. The shared arena (16 KiB) cannot
// hold a parsed document of 256 users, so documents are never parsed whole:
// a small scanner splits the top-level list into its objects and cJSON
// parses (or builds) one object at a time in its own arena scope.
#include <cstdio>
#include <cstring>

#include "cJSON.h"
#include "gw/config/config_store.h"
#include "gw/config/json_arena.h"
#include "gw/core/log.h"
#include "gw/users/user_store.h"

namespace gw::users {
namespace {

constexpr const char* kTag = "users";

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void Describe(ImportError* error, int32_t index, Field field, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));
void Describe(ImportError* error, int32_t index, Field field, const char* fmt, ...) {
  if (error == nullptr) return;
  error->index = index;
  error->field = field;
  char text[201];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(text, sizeof(text), fmt, args);
  va_end(args);
  error->message.clear();
  error->message.AppendTruncated(text);
}

// Finds the end of the object starting at text[pos] == '{' (one past its
// '}'), skipping strings; 0 if it does not close.
size_t ObjectEnd(std::string_view text, size_t pos) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = pos; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return 0;
}

}  // namespace

struct UserStore::ImportEntry {
  Subscriber user;
  bool has_password = false;
  char password[kMaxPassword + 1] = {};
};

Status UserStore::ParseImportEntry(std::string_view text, ImportEntry& out, ImportError* error,
                                   int32_t index) {
  const int i = static_cast<int>(index);
  if (!config::JsonNestingWithin(text, 1)) {
    Describe(error, index, Field::kNone, "entry %d: must be a flat object of strings", i);
    return Status::InvalidArgument();
  }
  config::JsonArenaScope scope(arena_);
  if (!scope.active()) return Status::FailedPrecondition();
  cJSON* root = cJSON_ParseWithLength(text.data(), text.size());
  if (root == nullptr) {
    if (arena_.exhausted()) {
      Describe(error, index, Field::kNone, "entry %d: too large to parse", i);
      return Status::ResourceExhausted();
    }
    Describe(error, index, Field::kNone, "entry %d: not valid JSON", i);
    return Status::InvalidArgument();
  }
  if (!cJSON_IsObject(root)) {
    Describe(error, index, Field::kNone, "entry %d: must be an object", i);
    return Status::InvalidArgument();
  }
  constexpr Field kFields[] = {Field::kUsername, Field::kDisplayName, Field::kPassword,
                               Field::kHa1Md5,   Field::kHa1Sha256,   Field::kStatus,
                               Field::kClass};
  const char* values[std::size(kFields)] = {};
  for (cJSON* item = root->child; item != nullptr; item = item->next) {
    const char* key = item->string != nullptr ? item->string : "";
    size_t k = 0;
    while (k < std::size(kFields) && std::strcmp(key, JsonFieldName(kFields[k])) != 0) ++k;
    if (k == std::size(kFields)) {
      Describe(error, index, Field::kNone,
               "entry %d: unknown field \"%.32s\" (allowed: username, display_name, "
               "password, ha1_md5, ha1_sha256, status, class)",
               i, key);
      return Status::InvalidArgument();
    }
    if (values[k] != nullptr) {
      Describe(error, index, kFields[k], "entry %d, field \"%s\": given twice", i, key);
      return Status::InvalidArgument();
    }
    if (!cJSON_IsString(item) || item->valuestring == nullptr) {
      Describe(error, index, kFields[k], "entry %d, field \"%s\": must be a string", i, key);
      return Status::InvalidArgument();
    }
    values[k] = item->valuestring;
  }
  auto value = [&](Field f) -> const char* {
    for (size_t k = 0; k < std::size(kFields); ++k) {
      if (kFields[k] == f) return values[k];
    }
    return nullptr;
  };
  auto bad = [&](const Violation& why) {
    Describe(error, index, why.field, "entry %d, field \"%s\": invalid value (allowed: %s)", i,
             JsonFieldName(why.field), why.rule.c_str());
  };
  Violation why;
  const char* username = value(Field::kUsername);
  if (username == nullptr) {
    Describe(error, index, Field::kUsername, "entry %d, field \"username\": missing", i);
    return Status::InvalidArgument();
  }
  if (Status s = CheckUsername(username, &why); !s.ok()) {
    bad(why);
    return s;
  }
  CopyField(out.user.username, kMaxUsername, username);
  const char* display = value(Field::kDisplayName);
  if (display != nullptr) {
    if (Status s = CheckDisplayName(display, &why); !s.ok()) {
      bad(why);
      return s;
    }
  }
  CopyField(out.user.display_name, kMaxDisplayName, display != nullptr ? display : "");
  const char* password = value(Field::kPassword);
  const char* md5 = value(Field::kHa1Md5);
  const char* sha = value(Field::kHa1Sha256);
  if (password != nullptr) {
    if (md5 != nullptr || sha != nullptr) {
      Describe(error, index, Field::kPassword,
               "entry %d, field \"password\": give either password or ha1_md5 + "
               "ha1_sha256, not both",
               i);
      return Status::InvalidArgument();
    }
    if (Status s = CheckPassword(password, &why); !s.ok()) {
      bad(why);
      return s;
    }
    out.has_password = true;
    CopyField(out.password, kMaxPassword, password);
  } else {
    if (md5 == nullptr || sha == nullptr) {
      Field missing = md5 == nullptr ? Field::kHa1Md5 : Field::kHa1Sha256;
      Describe(error, index, missing,
               "entry %d, field \"%s\": missing (give password, or ha1_md5 and ha1_sha256)", i,
               JsonFieldName(missing));
      return Status::InvalidArgument();
    }
    if (Status s = CheckHa1(Field::kHa1Md5, md5, &why); !s.ok()) {
      bad(why);
      return s;
    }
    if (Status s = CheckHa1(Field::kHa1Sha256, sha, &why); !s.ok()) {
      bad(why);
      return s;
    }
    CopyField(out.user.ha1_md5, kMd5Hex, md5, /*lower=*/true);
    CopyField(out.user.ha1_sha256, kSha256Hex, sha, /*lower=*/true);
  }
  out.user.status = UserStatus::kActive;
  if (const char* status = value(Field::kStatus);
      status != nullptr && !ParseStatus(status, out.user.status)) {
    Describe(error, index, Field::kStatus,
             "entry %d, field \"status\": invalid value (allowed: ACTIVE, INACTIVE, "
             "SUSPENDED)",
             i);
    return Status::InvalidArgument();
  }
  out.user.user_class = Class::kBasic;
  if (const char* user_class = value(Field::kClass);
      user_class != nullptr && !ParseClass(user_class, out.user.user_class)) {
    Describe(error, index, Field::kClass,
             "entry %d, field \"class\": invalid value (allowed: BASIC, PREMIUM, VIP, "
             "ENTERPRISE)",
             i);
    return Status::InvalidArgument();
  }
  return Status::Ok();
}

Result<ImportSummary> UserStore::ImportJson(std::string_view document, std::string_view realm,
                                            ImportError* error) {
  if (!loaded_) {
    Describe(error, -1, Field::kNone, "user store not loaded");
    return Status::FailedPrecondition();
  }
  if (document.size() > kMaxImportBytes) {
    Describe(error, -1, Field::kNone, "document of %lu bytes exceeds the limit of %lu bytes",
             static_cast<unsigned long>(document.size()),
             static_cast<unsigned long>(kMaxImportBytes));
    return Status::ResourceExhausted();
  }
  // Pass 1: split and check every entry; remember where each one is.
  size_t pos = 0;
  while (pos < document.size() && IsSpace(document[pos])) ++pos;
  if (pos == document.size() || document[pos] != '[') {
    Describe(error, -1, Field::kNone, "document must be a JSON list [ {...}, ... ]");
    return Status::InvalidArgument();
  }
  ++pos;
  size_t entries = 0;
  size_t new_users = 0;
  bool closed = false;
  while (true) {
    while (pos < document.size() && IsSpace(document[pos])) ++pos;
    if (pos == document.size()) break;
    if (document[pos] == ']' && entries == 0) {
      closed = true;
      ++pos;
      break;
    }
    const auto index = static_cast<int32_t>(entries);
    if (document[pos] != '{') {
      Describe(error, index, Field::kNone, "entry %d: must be an object", static_cast<int>(index));
      return Status::InvalidArgument();
    }
    size_t end = ObjectEnd(document, pos);
    if (end == 0) {
      Describe(error, index, Field::kNone, "entry %d: not closed", static_cast<int>(index));
      return Status::InvalidArgument();
    }
    if (entries == kCapacity) {
      Describe(error, index, Field::kNone, "more than %u entries",
               static_cast<unsigned>(kCapacity));
      return Status::ResourceExhausted();
    }
    if (end - pos > kMaxImportEntryBytes) {
      Describe(error, index, Field::kNone, "entry %d: longer than %u bytes",
               static_cast<int>(index), static_cast<unsigned>(kMaxImportEntryBytes));
      return Status::ResourceExhausted();
    }
    std::string_view text = document.substr(pos, end - pos);
    ImportEntry parsed;
    GW_TRY(ParseImportEntry(text, parsed, error, index));
    std::string_view name = parsed.user.Username();
    uint32_t hash = config::Crc32(name.data(), name.size());
    for (size_t k = 0; k < entries; ++k) {
      if (import_slots_[k].hash != hash) continue;
      ImportEntry earlier;
      std::string_view earlier_text =
          document.substr(import_slots_[k].offset, import_slots_[k].length);
      if (ParseImportEntry(earlier_text, earlier, nullptr, 0).ok() &&
          earlier.user.Username() == name) {
        Describe(error, index, Field::kUsername,
                 "entry %d, field \"username\": \"%s\" also in entry %u", static_cast<int>(index),
                 parsed.user.username, static_cast<unsigned>(k));
        return Status::InvalidArgument();
      }
    }
    if (Find(name) == nullptr && count_ + ++new_users > kCapacity) {
      Describe(error, index, Field::kUsername,
               "entry %d, field \"username\": the user table is full (%u users)",
               static_cast<int>(index), static_cast<unsigned>(kCapacity));
      return Status::ResourceExhausted();
    }
    import_slots_[entries++] = {hash, static_cast<uint32_t>(pos), static_cast<uint32_t>(end - pos)};
    pos = end;
    while (pos < document.size() && IsSpace(document[pos])) ++pos;
    if (pos < document.size() && document[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos < document.size() && document[pos] == ']') {
      closed = true;
      ++pos;
    }
    break;
  }
  while (pos < document.size() && IsSpace(document[pos])) ++pos;
  if (!closed || pos != document.size()) {
    Describe(error, -1, Field::kNone,
             "document must be a JSON list: expected ',' or ']' at byte %lu",
             static_cast<unsigned long>(pos));
    return Status::InvalidArgument();
  }
  // Pass 2: apply. Only the storage can fail now.
  ImportSummary summary;
  for (size_t k = 0; k < entries; ++k) {
    ImportEntry parsed;
    std::string_view text = document.substr(import_slots_[k].offset, import_slots_[k].length);
    GW_TRY(ParseImportEntry(text, parsed, error, static_cast<int32_t>(k)));
    Entry entry;
    entry.user = parsed.user;
    entry.realm_tag = config::Crc32(realm.data(), realm.size());
    if (parsed.has_password) {
      ComputeHa1(parsed.user.Username(), realm, parsed.password, entry.user);
    }
    bool exists = Find(parsed.user.Username()) != nullptr;
    if (Status s = Put(entry); !s.ok()) {
      Describe(error, static_cast<int32_t>(k), Field::kNone,
               "entry %u: storing failed (%s); entries before it were applied",
               static_cast<unsigned>(k), s.str());
      return s;
    }
    ++(exists ? summary.modified : summary.added);
  }
  GW_LOG_INFO(kTag, "import: %lu added, %lu modified", static_cast<unsigned long>(summary.added),
              static_cast<unsigned long>(summary.modified));
  return summary;
}

Status UserStore::ExportJson(LineFn fn, void* ctx) {
  fn(ctx, "[");
  for (size_t i = 0; i < count_; ++i) {
    const Subscriber& u = entries_[i].user;
    char line[512];
    {
      config::JsonArenaScope scope(arena_);
      if (!scope.active()) return Status::FailedPrecondition();
      cJSON* object = cJSON_CreateObject();
      if (object == nullptr) return Status::ResourceExhausted();
      cJSON_AddStringToObject(object, "username", u.username);
      cJSON_AddStringToObject(object, "display_name", u.display_name);
      cJSON_AddStringToObject(object, "ha1_md5", u.ha1_md5);
      cJSON_AddStringToObject(object, "ha1_sha256", u.ha1_sha256);
      cJSON_AddStringToObject(object, "status", StatusName(u.status));
      cJSON_AddStringToObject(object, "class", ClassName(u.user_class));
      if (arena_.exhausted() ||
          !cJSON_PrintPreallocated(object, line, static_cast<int>(sizeof(line) - 1), 0)) {
        return Status::ResourceExhausted();
      }
    }
    size_t n = std::strlen(line);
    if (i + 1 < count_) line[n++] = ',';
    fn(ctx, std::string_view(line, n));
  }
  fn(ctx, "]");
  return Status::Ok();
}

}  // namespace gw::users
