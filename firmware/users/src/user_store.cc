#include "gw/users/user_store.h"

#include <cstring>

#include "gw/config/config_store.h"
#include "gw/core/log.h"

namespace gw::users {
namespace {

constexpr const char* kTag = "users";
constexpr uint8_t kLive = 0xFF;
constexpr uint8_t kMagic = 0x55;
constexpr size_t kOffMagic = 1;
constexpr size_t kOffStatus = 2;
constexpr size_t kOffClass = 3;
constexpr size_t kOffSeq = 4;
constexpr size_t kOffRealm = 8;
constexpr size_t kOffUser = 12;
constexpr size_t kOffDisplay = 44;
constexpr size_t kOffMd5 = 92;
constexpr size_t kOffSha = 108;
constexpr size_t kOffCrc = 140;
static_assert(kOffCrc + 4 == UserStore::kRecordSize);
static_assert(kOffDisplay - kOffUser == kMaxUsername);
static_assert(kOffMd5 - kOffDisplay == kMaxDisplayName);

void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

void HexToBytes(const char* hex, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(HexValue(hex[2 * i]) * 16 + HexValue(hex[2 * i + 1]));
  }
}

void BytesToHex(const uint8_t* data, size_t n, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  out[2 * n] = '\0';
}

uint32_t RealmTag(std::string_view realm) {
  return config::Crc32(realm.data(), realm.size());
}

std::string_view Padded(const uint8_t* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != 0) ++len;
  return {reinterpret_cast<const char*>(p), len};
}

bool Blank(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0xFF) return false;
  }
  return true;
}

}  // namespace

UserStore::UserStore(hal::StorageRegion& storage, config::JsonArena& arena)
    : storage_(storage), arena_(arena) {}

// --- the table ---------------------------------------------------------------

size_t UserStore::LowerBound(std::string_view username) const {
  size_t lo = 0;
  size_t hi = count_;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (entries_[mid].user.Username() < username) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

UserStore::Entry* UserStore::FindEntry(std::string_view username) {
  size_t i = LowerBound(username);
  return i < count_ && entries_[i].user.Username() == username ? &entries_[i] : nullptr;
}

const Subscriber* UserStore::Find(std::string_view username) const {
  size_t i = LowerBound(username);
  return i < count_ && entries_[i].user.Username() == username ? &entries_[i].user : nullptr;
}

Status UserStore::InsertSorted(const Entry& entry) {
  if (count_ == kCapacity) return Status::ResourceExhausted();
  size_t at = LowerBound(entry.user.Username());
  for (size_t k = count_; k > at; --k) entries_[k] = entries_[k - 1];
  entries_[at] = entry;
  ++count_;
  return Status::Ok();
}

void UserStore::EraseAt(size_t index) {
  for (size_t k = index; k + 1 < count_; ++k) entries_[k] = entries_[k + 1];
  --count_;
}

bool UserStore::RealmMatches(std::string_view username, std::string_view realm) const {
  size_t i = LowerBound(username);
  return i < count_ && entries_[i].user.Username() == username &&
         entries_[i].realm_tag == RealmTag(realm);
}

size_t UserStore::RealmMismatches(std::string_view realm) const {
  uint32_t tag = RealmTag(realm);
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) n += entries_[i].realm_tag != tag ? 1 : 0;
  return n;
}

// --- records -----------------------------------------------------------------

size_t UserStore::Offset(size_t sector, size_t slot) const {
  return sector * storage_.SectorSize() + slot * kRecordSize;
}

size_t UserStore::LiveIn(size_t sector) const {
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) n += entries_[i].sector == sector ? 1 : 0;
  return n;
}

size_t UserStore::ErasedCount() const {
  size_t n = 0;
  for (size_t s = 0; s < sectors_; ++s) {
    if (static_cast<int>(s) != head_ && used_[s] == 0) ++n;
  }
  return n;
}

Status UserStore::WriteAt(Entry& entry) {
  uint8_t rec[kRecordSize] = {};
  rec[0] = kLive;
  rec[kOffMagic] = kMagic;
  rec[kOffStatus] = static_cast<uint8_t>(entry.user.status);
  rec[kOffClass] = static_cast<uint8_t>(entry.user.user_class);
  uint32_t seq = next_seq_++;
  PutU32(rec + kOffSeq, seq);
  PutU32(rec + kOffRealm, entry.realm_tag);
  std::memcpy(rec + kOffUser, entry.user.username, std::strlen(entry.user.username));
  std::memcpy(rec + kOffDisplay, entry.user.display_name, std::strlen(entry.user.display_name));
  HexToBytes(entry.user.ha1_md5, rec + kOffMd5, kMd5Hex / 2);
  HexToBytes(entry.user.ha1_sha256, rec + kOffSha, kSha256Hex / 2);
  PutU32(rec + kOffCrc, config::Crc32(rec + 1, kOffCrc - 1));
  auto sector = static_cast<size_t>(head_);
  size_t slot = used_[sector]++;  // consumed even if programming fails
  Status s = storage_.Program(Offset(sector, slot), std::as_bytes(std::span(rec)));
  if (!s.ok()) {
    ++storage_errors_;
    GW_LOG_ERROR(kTag, "writing record %u:%u failed: %s", static_cast<unsigned>(sector),
                 static_cast<unsigned>(slot), s.str());
    return s;
  }
  entry.seq = seq;
  entry.sector = static_cast<uint8_t>(sector);
  entry.slot = static_cast<uint16_t>(slot);
  return Status::Ok();
}

Status UserStore::Retire(size_t sector, size_t slot) {
  const std::byte dead[1] = {std::byte{0x00}};
  Status s = storage_.Program(Offset(sector, slot), dead);
  if (!s.ok()) {
    ++storage_errors_;
    GW_LOG_ERROR(kTag, "retiring record %u:%u failed: %s", static_cast<unsigned>(sector),
                 static_cast<unsigned>(slot), s.str());
  }
  return s;
}

Status UserStore::Reclaim(size_t sector) {
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].sector != sector) continue;
    Entry copy = entries_[i];
    GW_TRY(WriteAt(copy));  // the original stays live until the erase
    entries_[i] = copy;
  }
  Status s = storage_.EraseSector(sector);
  if (!s.ok()) {
    ++storage_errors_;
    GW_LOG_ERROR(kTag, "erasing sector %u failed: %s", static_cast<unsigned>(sector), s.str());
    return s;
  }
  used_[sector] = 0;
  ++reclaims_;
  return Status::Ok();
}

Status UserStore::PrepareSlot() {
  for (size_t guard = 0; guard <= 2 * sectors_; ++guard) {
    bool head_has_room = head_ >= 0 && used_[head_] < slots_;
    if (head_has_room && ErasedCount() > 0) return Status::Ok();
    if (head_has_room) {
      // The last spare just became the head: reclaim the sector with the
      // fewest live records into it (Load checked that this fits).
      size_t room = slots_ - used_[head_];
      int victim = -1;
      size_t fewest = kCapacity + 1;
      for (size_t s = 0; s < sectors_; ++s) {
        if (static_cast<int>(s) == head_) continue;
        size_t live = LiveIn(s);
        if (live < fewest) {
          fewest = live;
          victim = static_cast<int>(s);
        }
      }
      if (victim < 0 || fewest > room) break;
      GW_TRY(Reclaim(static_cast<size_t>(victim)));
      continue;
    }
    int erased = -1;
    for (size_t s = 0; s < sectors_ && erased < 0; ++s) {
      if (static_cast<int>(s) != head_ && used_[s] == 0) erased = static_cast<int>(s);
    }
    if (erased >= 0) {
      head_ = erased;
      continue;
    }
    // Head full and nothing erased (only after corruption): a sector
    // without live records can be erased outright.
    int dead = -1;
    for (size_t s = 0; s < sectors_ && dead < 0; ++s) {
      if (static_cast<int>(s) != head_ && LiveIn(s) == 0) dead = static_cast<int>(s);
    }
    if (dead < 0) break;
    GW_TRY(Reclaim(static_cast<size_t>(dead)));
  }
  GW_LOG_ERROR(kTag, "no free record slot in the users region");
  return Status::ResourceExhausted();
}

Status UserStore::Append(Entry& entry) {
  GW_TRY(PrepareSlot());
  return WriteAt(entry);
}

Status UserStore::Put(Entry entry) {
  Entry* old = FindEntry(entry.user.Username());
  if (old == nullptr && count_ == kCapacity) return Status::ResourceExhausted();
  GW_TRY(Append(entry));
  if (old == nullptr) return InsertSorted(entry);
  // Read the old place only now: a reclaim during Append may have moved it.
  size_t sector = old->sector;
  size_t slot = old->slot;
  *old = entry;
  // If this fails both records stay live; Load keeps the higher sequence.
  Retire(sector, slot).IgnoreError();
  return Status::Ok();
}

// --- operations --------------------------------------------------------------

Status UserStore::Add(const NewUser& user, std::string_view realm, Violation* why) {
  if (!loaded_) return Status::FailedPrecondition();
  GW_TRY(CheckUsername(user.username, why));
  GW_TRY(CheckPassword(user.password, why));
  GW_TRY(CheckDisplayName(user.display_name, why));
  if (Find(user.username) != nullptr) return Status::AlreadyExists();
  if (count_ == kCapacity) {
    ++add_refused_;
    GW_LOG_WARN(kTag, "user table full (%u), %.*s not added", static_cast<unsigned>(kCapacity),
                static_cast<int>(user.username.size()), user.username.data());
    return Status::ResourceExhausted();
  }
  Entry entry;
  CopyField(entry.user.username, kMaxUsername, user.username);
  CopyField(entry.user.display_name, kMaxDisplayName, user.display_name);
  entry.user.status = user.status;
  entry.user.user_class = user.user_class;
  ComputeHa1(user.username, realm, user.password, entry.user);
  entry.realm_tag = RealmTag(realm);
  return Put(entry);
}

Status UserStore::Modify(std::string_view username, const UserChange& change,
                         std::string_view realm, Violation* why) {
  if (!loaded_) return Status::FailedPrecondition();
  const Entry* current = FindEntry(username);
  if (current == nullptr) return Status::NotFound();
  if (change.password) GW_TRY(CheckPassword(*change.password, why));
  if (change.display_name) GW_TRY(CheckDisplayName(*change.display_name, why));
  Entry entry = *current;
  if (change.display_name) {
    CopyField(entry.user.display_name, kMaxDisplayName, *change.display_name);
  }
  if (change.status) entry.user.status = *change.status;
  if (change.user_class) entry.user.user_class = *change.user_class;
  if (change.password) {
    ComputeHa1(username, realm, *change.password, entry.user);
    entry.realm_tag = RealmTag(realm);
  }
  return Put(entry);
}

Status UserStore::Remove(std::string_view username) {
  if (!loaded_) return Status::FailedPrecondition();
  size_t i = LowerBound(username);
  if (i >= count_ || entries_[i].user.Username() != username) return Status::NotFound();
  GW_TRY(Retire(entries_[i].sector, entries_[i].slot));
  EraseAt(i);
  return Status::Ok();
}

// --- loading -----------------------------------------------------------------

Status UserStore::CreateDefaults(std::string_view realm) {
  static constexpr std::string_view kDefaults[] = {"1001", "1002", "1003"};
  for (std::string_view name : kDefaults) {
    String<16> display;
    display.Format("User %.*s", static_cast<int>(name.size()), name.data()).IgnoreError();
    GW_TRY(Add({.username = name, .password = name, .display_name = display.view()}, realm));
  }
  GW_LOG_INFO(kTag, "blank users region: created 1001, 1002, 1003 (password = username)");
  return Status::Ok();
}

Status UserStore::Load(std::string_view realm) {
  count_ = 0;
  head_ = -1;
  next_seq_ = 1;
  loaded_ = false;
  corrupt_records_ = 0;
  std::memset(used_, 0, sizeof(used_));
  sectors_ = storage_.SectorCount();
  slots_ = storage_.SectorSize() / kRecordSize;
  // A reclaim copies at most floor(capacity / (sectors - 1)) records into a
  // fresh head; one more slot for a torn write and one for the change itself.
  if (sectors_ < 2 || sectors_ > kMaxSectors || slots_ > 0xFFFF ||
      slots_ < kCapacity / (sectors_ - 1) + 2) {
    GW_LOG_ERROR(kTag, "users region of %u x %u bytes cannot hold %u users",
                 static_cast<unsigned>(sectors_), static_cast<unsigned>(storage_.SectorSize()),
                 static_cast<unsigned>(kCapacity));
    sectors_ = 0;
    return Status::FailedPrecondition();
  }
  bool blank = true;
  uint32_t max_seq = 0;
  uint32_t repaired = 0;
  uint32_t dropped = 0;
  for (size_t sector = 0; sector < sectors_; ++sector) {
    for (size_t slot = 0; slot < slots_; ++slot) {
      uint8_t rec[kRecordSize];
      if (!storage_.Read(Offset(sector, slot), std::as_writable_bytes(std::span(rec))).ok()) {
        ++storage_errors_;
        ++corrupt_records_;
        used_[sector] = static_cast<uint16_t>(slot + 1);
        blank = false;
        continue;
      }
      if (Blank(rec, kRecordSize)) continue;
      blank = false;
      used_[sector] = static_cast<uint16_t>(slot + 1);
      Entry entry;
      std::string_view name = Padded(rec + kOffUser, kMaxUsername);
      std::string_view display = Padded(rec + kOffDisplay, kMaxDisplayName);
      bool valid = rec[kOffMagic] == kMagic &&
                   GetU32(rec + kOffCrc) == config::Crc32(rec + 1, kOffCrc - 1) &&
                   rec[kOffStatus] < kStatusCount && rec[kOffClass] < kClassCount &&
                   CheckUsername(name, nullptr).ok() && CheckDisplayName(display, nullptr).ok();
      if (!valid) {
        ++corrupt_records_;
        continue;
      }
      entry.seq = GetU32(rec + kOffSeq);
      if (entry.seq >= max_seq) {
        max_seq = entry.seq;
        head_ = static_cast<int>(sector);
      }
      if (rec[0] != kLive) continue;  // superseded or removed
      CopyField(entry.user.username, kMaxUsername, name);
      CopyField(entry.user.display_name, kMaxDisplayName, display);
      BytesToHex(rec + kOffMd5, kMd5Hex / 2, entry.user.ha1_md5);
      BytesToHex(rec + kOffSha, kSha256Hex / 2, entry.user.ha1_sha256);
      entry.user.status = static_cast<UserStatus>(rec[kOffStatus]);
      entry.user.user_class = static_cast<Class>(rec[kOffClass]);
      entry.realm_tag = GetU32(rec + kOffRealm);
      entry.sector = static_cast<uint8_t>(sector);
      entry.slot = static_cast<uint16_t>(slot);
      Entry* existing = FindEntry(name);
      if (existing == nullptr) {
        if (!InsertSorted(entry).ok()) ++dropped;
        continue;
      }
      // Two live records of one user: a cut between an append and the
      // retirement of the old record. The higher sequence wins.
      ++repaired;
      if (entry.seq > existing->seq) {
        Retire(existing->sector, existing->slot).IgnoreError();
        *existing = entry;
      } else {
        Retire(sector, slot).IgnoreError();
      }
    }
  }
  next_seq_ = max_seq + 1;
  loaded_ = true;
  if (blank) return CreateDefaults(realm);
  if (corrupt_records_ > 0 || dropped > 0) {
    GW_LOG_WARN(kTag, "skipped %lu corrupt record(s), dropped %lu over capacity",
                static_cast<unsigned long>(corrupt_records_), static_cast<unsigned long>(dropped));
  }
  if (repaired > 0) {
    GW_LOG_INFO(kTag, "retired %lu superseded record(s) after an interrupted write",
                static_cast<unsigned long>(repaired));
  }
  GW_LOG_INFO(kTag, "loaded %u user(s)", static_cast<unsigned>(count_));
  if (size_t stale = RealmMismatches(realm); stale > 0) {
    GW_LOG_WARN(kTag,
                "%u user(s) have HA1s made with another realm than %.*s: "
                "set their passwords again",
                static_cast<unsigned>(stale), static_cast<int>(realm.size()), realm.data());
  }
  return Status::Ok();
}

}  // namespace gw::users
