#pragma once
// UserStore: the subscriber table (GW_CAP_USERS entries, sorted by username)
// and its persistence on the users StorageRegion. Every change is written
// before it becomes visible; a power cut loses at most the change being
// written.
//
// Why not ConfigStore's A/B snapshot: a full table is 256 x 144 = 36 KiB,
// more than half of the 64 KiB region, so two snapshots do not fit. The
// region is instead a log of fixed-size records in sectors used as a pool
// (the NVS idea: append to a head sector, reclaim a sector by copying its
// live records into the head, then erase it).
//
// Record (kRecordSize = 144 bytes, little-endian), kRecordsPerSector =
// SectorSize / 144 slots per sector (28 for 4 KiB sectors, 64 bytes unused):
//    0  u8   live      0xFF = live; programmed to 0x00 when the record is
//                      superseded (MOD) or the user removed (RMV). Not in
//                      the CRC: it is the only byte programmed twice.
//    1  u8   magic     0x55
//    2  u8   status    UserStatus
//    3  u8   class     Class
//    4  u32  sequence  grows by one per record written, never reused
//    8  u32  realm_tag CRC-32 of the realm the HA1s were made with
//   12  char username[32]      NUL-padded
//   44  char display_name[48]  NUL-padded UTF-8
//   92  u8   ha1_md5[16]       binary
//  108  u8   ha1_sha256[32]    binary
//  140  u32  crc32 of bytes 1..139
// A slot that is all 0xFF is free. Any other slot is used; it counts if its
// magic, CRC and fields check and its live byte is still 0xFF.
//
// Writes: ADD = append a record; MOD = append the new record, then clear
// the live byte of the old one; RMV = clear the live byte. Load resolves
// two live records of one user (a cut between append and clear) by the
// higher sequence and retires the other. A torn append fails its CRC and
// is skipped (counted in corrupt_records()).
//
// Reclaiming: one sector is always kept erased. When the head is full it
// moves to the erased sector; if no erased sector is left, the sector with
// the fewest live records is reclaimed into the new head and erased. With
// 16 sectors of 28 slots and 256 users that sector holds at most 17 live
// records, so the copy always fits, also when redone after a power cut
// (Load checks the geometry: FailedPrecondition if it cannot guarantee it).
//
// Needs a medium that allows programming a byte a second time to clear
// bits (NOR flash; the StorageRegion contract: Program ANDs).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gw/config/json_arena.h"
#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/hal/storage.h"
#include "gw/users/subscriber.h"
#include "gw_profile.h"

namespace gw::users {

// Fields of ADD; absent optional fields take the defaults.
struct NewUser {
  std::string_view username;
  std::string_view password;
  std::string_view display_name = {};
  UserStatus status = UserStatus::kActive;
  Class user_class = Class::kBasic;
};

// Fields of MOD; only those present change.
struct UserChange {
  std::optional<std::string_view> password;
  std::optional<std::string_view> display_name;
  std::optional<UserStatus> status;
  std::optional<Class> user_class;
};

// The first bad thing in an import document.
struct ImportError {
  int32_t index = -1;  // 0-based entry; -1: the document as a whole
  Field field = Field::kNone;
  String<200> message;  // e.g. "entry 2, field \"status\": must be one of ..."
};

struct ImportSummary {
  uint32_t added = 0;
  uint32_t modified = 0;
};

class UserStore {
 public:
  static constexpr size_t kCapacity = GW_CAP_USERS;
  static constexpr size_t kRecordSize = 144;
  static constexpr size_t kMaxSectors = 64;
  // Largest import document: a full table exported (about 300 bytes an
  // entry at most) fits. Each entry is parsed alone in the JSON arena.
  static constexpr size_t kMaxImportBytes = size_t{80} * 1024;
  static constexpr size_t kMaxImportEntryBytes = 1024;

  using LineFn = void (*)(void* ctx, std::string_view line);

  // storage and arena must outlive the store. Starts empty; call Load().
  UserStore(hal::StorageRegion& storage, config::JsonArena& arena);
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Reads the region. On blank storage creates the default users 1001,
  // 1002, 1003 (password = name, hashed with `realm`). Logs how many users
  // were loaded, how many records were corrupt, and how many HA1s were made
  // with another realm than `realm`.
  // Ok also when corrupt records were skipped (see corrupt_records());
  // FailedPrecondition if the region's geometry cannot hold kCapacity users
  // safely (the store stays empty and refuses changes); DataLoss/OutOfRange
  // from the storage while writing the defaults or repairing.
  Status Load(std::string_view realm);

  // Adds a user with HA1s computed for `realm`.
  // InvalidArgument/OutOfRange: a field breaks its rule (*why says which);
  // AlreadyExists; ResourceExhausted: the table is full (counted in
  // add_refused()) or the region has no room; FailedPrecondition: not
  // loaded; DataLoss/OutOfRange from the storage (nothing changed).
  Status Add(const NewUser& user, std::string_view realm, Violation* why = nullptr);

  // Changes the given fields; a new password is hashed with `realm`.
  // NotFound; the field statuses of Add; storage statuses (nothing changed).
  Status Modify(std::string_view username, const UserChange& change, std::string_view realm,
                Violation* why = nullptr);

  // NotFound; FailedPrecondition (not loaded); storage statuses.
  Status Remove(std::string_view username);

  // nullptr if absent. Valid until the next change.
  const Subscriber* Find(std::string_view username) const;
  size_t size() const { return count_; }
  // i < size(), sorted by username.
  const Subscriber& operator[](size_t i) const { return entries_[i].user; }

  // Users whose HA1 was made with another realm than `realm` (they cannot
  // authenticate until their password is set again). The app logs it at
  // init and when AUTH.REALM changes.
  size_t RealmMismatches(std::string_view realm) const;
  // False also when the user does not exist.
  bool RealmMatches(std::string_view username, std::string_view realm) const;

  // Writes the table as a JSON list, one line at a time: "[", one compact
  // object per user ("," after all but the last), "]". Each object is
  // built with cJSON in the arena. ResourceExhausted if an entry cannot be
  // rendered (arena), FailedPrecondition if the arena is busy.
  Status ExportJson(LineFn fn, void* ctx);

  // Adds or replaces the users of a JSON list (see ExportJson; an entry
  // may give "password" instead of "ha1_md5" + "ha1_sha256"; display_name,
  // status and class are optional). Every entry is checked before any is
  // applied: the first bad one is described in *error and nothing changes.
  // InvalidArgument/OutOfRange: a bad entry or document; ResourceExhausted:
  // the document exceeds kMaxImportBytes, an entry kMaxImportEntryBytes, or
  // the users would not fit the table; storage statuses while applying
  // (entries before the failing one stay applied; *error names it).
  Result<ImportSummary> ImportJson(std::string_view document, std::string_view realm,
                                   ImportError* error = nullptr);

  bool loaded() const { return loaded_; }
  // Records skipped at Load (bad CRC, magic or field).
  uint32_t corrupt_records() const { return corrupt_records_; }
  // ADDs refused because the table was full.
  uint32_t add_refused() const { return add_refused_; }
  // Failed storage operations (reads, programs, erases).
  uint32_t storage_errors() const { return storage_errors_; }
  // Sectors reclaimed (copied and erased).
  uint32_t reclaims() const { return reclaims_; }
  uint32_t sequence() const { return next_seq_; }

 private:
  struct Entry {
    Subscriber user;
    uint32_t seq = 0;
    uint32_t realm_tag = 0;
    uint16_t slot = 0;
    uint8_t sector = 0;
  };
  struct ImportEntry;

  // Lower bound of `username` in the sorted table.
  size_t LowerBound(std::string_view username) const;
  Entry* FindEntry(std::string_view username);
  Status InsertSorted(const Entry& entry);
  void EraseAt(size_t index);

  size_t Offset(size_t sector, size_t slot) const;
  size_t LiveIn(size_t sector) const;
  size_t ErasedCount() const;
  Status PrepareSlot();
  Status Reclaim(size_t sector);
  Status WriteAt(Entry& entry);  // into the head's next slot (room checked)
  Status Append(Entry& entry);   // PrepareSlot + WriteAt
  Status Retire(size_t sector, size_t slot);
  // Writes `entry` (new or replacing the user of the same name) and
  // updates the table; the old record is retired.
  Status Put(Entry entry);
  Status CreateDefaults(std::string_view realm);

  Status ParseImportEntry(std::string_view text, ImportEntry& out, ImportError* error,
                          int32_t index);

  hal::StorageRegion& storage_;
  config::JsonArena& arena_;
  Entry entries_[kCapacity];
  size_t count_ = 0;
  size_t sectors_ = 0;
  size_t slots_ = 0;                 // record slots per sector
  uint16_t used_[kMaxSectors] = {};  // slots consumed per sector
  int head_ = -1;                    // sector appended to; -1 none yet
  uint32_t next_seq_ = 1;
  bool loaded_ = false;
  uint32_t corrupt_records_ = 0;
  uint32_t add_refused_ = 0;
  uint32_t storage_errors_ = 0;
  uint32_t reclaims_ = 0;
  // Import scratch: hash and place of each entry, for duplicate detection.
  struct ImportSlot {
    uint32_t hash;
    uint32_t offset;
    uint32_t length;
  };
  ImportSlot import_slots_[kCapacity] = {};
};

}  // namespace gw::users
