#include "gw/users/user_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "gw/testing/fake_hal.h"
#include "users_fakes.h"

namespace gw::users {
namespace {

constexpr std::string_view kRealm = "imsgw.local";
constexpr size_t kSector = 4096;
constexpr size_t kSectors = 16;  // the users region: 64 KiB of 4 KiB sectors

config::JsonArena& Arena() {
  static config::JsonArena arena;
  return arena;
}

std::unique_ptr<UserStore> Open(hal::StorageRegion& storage, Status* status = nullptr) {
  auto store = std::make_unique<UserStore>(storage, Arena());
  Status s = store->Load(kRealm);
  if (status != nullptr) *status = s;
  return store;
}

std::string Name(size_t i) {
  return "u" + std::to_string(i);
}

// Every user's fields as one string, to compare two stores.
std::string Dump(const UserStore& store) {
  std::string out;
  for (size_t i = 0; i < store.size(); ++i) {
    const Subscriber& u = store[i];
    out += std::string(u.Username()) + "|" + std::string(u.DisplayName()) + "|" +
           std::string(u.Ha1Md5()) + "|" + std::string(u.Ha1Sha256()) + "|" + StatusName(u.status) +
           "|" + ClassName(u.user_class) + "\n";
  }
  return out;
}

TEST(UserStore, FirstBootCreatesDefaultUsers) {
  testing::RamStorage storage(kSector, kSectors);
  Status status;
  auto store = Open(storage, &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(store->size(), 3u);
  const char* names[] = {"1001", "1002", "1003"};
  for (size_t i = 0; i < 3; ++i) {
    const Subscriber& u = (*store)[i];
    EXPECT_EQ(u.Username(), names[i]);
    EXPECT_EQ(u.DisplayName(), std::string("User ") + names[i]);
    EXPECT_EQ(u.status, UserStatus::kActive);
    EXPECT_EQ(u.user_class, Class::kBasic);
  }
  // Independent: python3 hashlib.md5(b"1001:imsgw.local:1001") etc.
  EXPECT_EQ(store->Find("1001")->Ha1Md5(), "90bf9ff902d663524a5f9a7470fdbbe2");
  EXPECT_EQ(store->Find("1001")->Ha1Sha256(),
            "8e19d145f850afc009145b829df032b93f3bd1a00e7082891c2241d027d8698c");
  EXPECT_EQ(store->Find("1002")->Ha1Md5(), "6e0f66b4df90d2d1b2e7f99127f06db5");
  EXPECT_EQ(store->RealmMismatches(kRealm), 0u);
  EXPECT_EQ(store->RealmMismatches("example.com"), 3u);
  EXPECT_TRUE(store->RealmMatches("1001", kRealm));
  EXPECT_FALSE(store->RealmMatches("1001", "example.com"));
  EXPECT_FALSE(store->RealmMatches("nobody", kRealm));
  // Not recreated once the region is in use, even when every user is gone.
  ASSERT_TRUE(store->Remove("1001").ok());
  ASSERT_TRUE(store->Remove("1002").ok());
  ASSERT_TRUE(store->Remove("1003").ok());
  EXPECT_EQ(Open(storage)->size(), 0u);
}

TEST(UserStore, Crud) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  Violation why;
  ASSERT_TRUE(store
                  ->Add({.username = "alice",
                         .password = "secret",
                         .display_name = "Alice",
                         .status = UserStatus::kInactive,
                         .user_class = Class::kVip},
                        kRealm, &why)
                  .ok());
  EXPECT_EQ(store->Add({.username = "alice", .password = "x"}, kRealm), Status::AlreadyExists());
  EXPECT_EQ(store->Add({.username = "bad name", .password = "x"}, kRealm, &why),
            Status::InvalidArgument());
  EXPECT_EQ(why.field, Field::kUsername);
  EXPECT_EQ(store->Add({.username = "bob", .password = ""}, kRealm, &why), Status::OutOfRange());
  EXPECT_EQ(why.field, Field::kPassword);
  EXPECT_EQ(store->Add({.username = "bob", .password = "x", .display_name = "a\nb"}, kRealm, &why),
            Status::InvalidArgument());
  EXPECT_EQ(why.field, Field::kDisplayName);

  const Subscriber* alice = store->Find("alice");
  ASSERT_NE(alice, nullptr);
  Subscriber expect;
  ComputeHa1("alice", kRealm, "secret", expect);
  EXPECT_EQ(alice->Ha1Md5(), expect.Ha1Md5());
  EXPECT_EQ(alice->Ha1Sha256(), expect.Ha1Sha256());
  EXPECT_EQ(alice->status, UserStatus::kInactive);
  EXPECT_EQ(alice->user_class, Class::kVip);
  EXPECT_EQ(store->Find("Alice"), nullptr);  // user names are case-sensitive

  // Sorted by name.
  ASSERT_EQ(store->size(), 4u);
  EXPECT_EQ((*store)[3].Username(), "alice");

  UserChange change;
  change.status = UserStatus::kActive;
  change.display_name = "Alice A.";
  ASSERT_TRUE(store->Modify("alice", change, "other.realm").ok());
  alice = store->Find("alice");
  EXPECT_EQ(alice->DisplayName(), "Alice A.");
  EXPECT_EQ(alice->Ha1Md5(), expect.Ha1Md5());  // no password: HA1 kept
  EXPECT_TRUE(store->RealmMatches("alice", kRealm));
  change = {};
  change.password = "new";
  ASSERT_TRUE(store->Modify("alice", change, "other.realm").ok());
  ComputeHa1("alice", "other.realm", "new", expect);
  EXPECT_EQ(store->Find("alice")->Ha1Md5(), expect.Ha1Md5());
  EXPECT_EQ(store->RealmMismatches(kRealm), 1u);
  change.password = std::string_view("bad\x01");
  EXPECT_EQ(store->Modify("alice", change, kRealm, &why), Status::InvalidArgument());
  EXPECT_EQ(store->Modify("carol", {}, kRealm), Status::NotFound());

  EXPECT_TRUE(store->Remove("alice").ok());
  EXPECT_EQ(store->Remove("alice"), Status::NotFound());
  EXPECT_EQ(store->Find("alice"), nullptr);
  EXPECT_EQ(store->size(), 3u);
}

TEST(UserStore, RefusesTheUserAfterCapacityAndCountsIt) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  for (size_t i = store->size(); i < UserStore::kCapacity; ++i) {
    ASSERT_TRUE(store->Add({.username = Name(i), .password = "pw"}, kRealm).ok()) << i;
  }
  ASSERT_EQ(store->size(), 256u);
  EXPECT_EQ(store->Add({.username = "one-too-many", .password = "pw"}, kRealm),
            Status::ResourceExhausted());
  EXPECT_EQ(store->add_refused(), 1u);
  EXPECT_EQ(store->Find("one-too-many"), nullptr);
  auto again = Open(storage);
  EXPECT_EQ(again->size(), 256u);
  EXPECT_EQ(Dump(*again), Dump(*store));
}

TEST(UserStore, PersistsAcrossANewStore) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  ASSERT_TRUE(
      store->Add({.username = "2001", .password = "a", .display_name = "Zoë"}, kRealm).ok());
  ASSERT_TRUE(store->Add({.username = "2002", .password = "b"}, kRealm).ok());
  UserChange change;
  change.user_class = Class::kEnterprise;
  ASSERT_TRUE(store->Modify("2001", change, kRealm).ok());
  ASSERT_TRUE(store->Remove("1002").ok());
  auto again = Open(storage);
  EXPECT_EQ(again->size(), 4u);
  EXPECT_EQ(again->Find("1002"), nullptr);
  EXPECT_EQ(again->Find("2001")->user_class, Class::kEnterprise);
  EXPECT_EQ(again->Find("2001")->DisplayName(), "Zoë");
  EXPECT_EQ(Dump(*again), Dump(*store));
  EXPECT_EQ(again->corrupt_records(), 0u);
  EXPECT_EQ(again->sequence(), store->sequence());
}

// A full table changed thousands of times: sectors are reclaimed over and
// over, and every reload sees exactly the table in RAM.
TEST(UserStore, ReclaimsSectorsUnderChurnWithAFullTable) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  for (size_t i = store->size(); i < UserStore::kCapacity; ++i) {
    ASSERT_TRUE(store->Add({.username = Name(i), .password = "pw"}, kRealm).ok());
  }
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    size_t i = rng() % store->size();
    std::string name((*store)[i].Username());
    if (round % 7 == 0) {
      ASSERT_TRUE(store->Remove(name).ok());
      ASSERT_TRUE(store->Add({.username = name, .password = "again"}, kRealm).ok());
    } else {
      UserChange change;
      std::string display = "round " + std::to_string(round);
      change.display_name = display;
      ASSERT_TRUE(store->Modify(name, change, kRealm).ok()) << round;
    }
    if (round % 500 == 0) {
      ASSERT_EQ(Dump(*Open(storage)), Dump(*store)) << round;
    }
  }
  EXPECT_GT(store->reclaims(), 100u);
  EXPECT_EQ(store->storage_errors(), 0u);
  auto again = Open(storage);
  EXPECT_EQ(again->size(), 256u);
  EXPECT_EQ(Dump(*again), Dump(*store));
  EXPECT_EQ(again->corrupt_records(), 0u);
}

TEST(UserStore, TornAddLoadsThePreviousState) {
  CutStorage storage(kSector, kSectors);
  auto store = Open(storage);
  std::string before = Dump(*store);
  storage.CutAfter(0);  // the record of the next add is torn
  EXPECT_EQ(store->Add({.username = "2001", .password = "pw"}, kRealm), Status::DataLoss());
  EXPECT_EQ(store->Find("2001"), nullptr);  // nothing changed in RAM either
  storage.Revive();
  auto again = Open(storage);
  EXPECT_EQ(Dump(*again), before);
  EXPECT_EQ(again->corrupt_records(), 1u);
  // The torn slot is not reused; the store goes on.
  ASSERT_TRUE(again->Add({.username = "2001", .password = "pw"}, kRealm).ok());
  EXPECT_EQ(Open(storage)->Find("2001")->Ha1Md5(), again->Find("2001")->Ha1Md5());
}

TEST(UserStore, CutBetweenAppendAndRetireKeepsTheNewRecordOnly) {
  CutStorage storage(kSector, kSectors);
  auto store = Open(storage);
  UserChange change;
  change.display_name = "new";
  storage.CutAfter(1);  // the new record is written, the old one stays live
  EXPECT_TRUE(store->Modify("1001", change, kRealm).ok());
  storage.Revive();
  auto again = Open(storage);
  EXPECT_EQ(again->Find("1001")->DisplayName(), "new");
  // The old record was retired at load: removing the user now is final.
  ASSERT_TRUE(again->Remove("1001").ok());
  EXPECT_EQ(Open(storage)->Find("1001"), nullptr);
}

TEST(UserStore, CorruptingTheLastWrittenRecordLoadsThePreviousState) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  std::string before = Dump(*store);
  ASSERT_TRUE(store->Add({.username = "2001", .password = "pw"}, kRealm).ok());
  // The fourth record (slot 3 of sector 0) is the add: flip a byte in it.
  storage.bytes()[3 * UserStore::kRecordSize + 20] ^= 0x01;
  auto again = Open(storage);
  EXPECT_EQ(Dump(*again), before);
  EXPECT_EQ(again->corrupt_records(), 1u);
}

// Cuts power at every write of a run of changes that crosses reclaims: the
// reloaded table is always the one before or after the change, and the
// store works on from there.
TEST(UserStore, PowerCutAtEveryWriteOfAReclaim) {
  CutStorage storage(kSector, kSectors);
  auto store = Open(storage);
  for (size_t i = store->size(); i < UserStore::kCapacity; ++i) {
    ASSERT_TRUE(store->Add({.username = Name(i), .password = "pw"}, kRealm).ok());
  }
  size_t checked_reclaims = 0;
  for (int change_no = 0; change_no < 260; ++change_no) {
    std::string name = Name(3 + static_cast<size_t>(change_no) * 37 % 253);
    std::string before = Dump(*store);
    std::vector<uint8_t> image = storage.bytes();
    // Find how many writes the change needs, then cut at each of them.
    int start = storage.writes();
    UserChange change;
    std::string display = "v" + std::to_string(change_no);
    change.display_name = display;
    uint32_t reclaims = store->reclaims();
    ASSERT_TRUE(store->Modify(name, change, kRealm).ok());
    std::string after = Dump(*store);
    int needed = storage.writes() - start;
    if (store->reclaims() != reclaims) ++checked_reclaims;
    std::vector<uint8_t> done = storage.bytes();
    for (int cut = 0; cut < needed; ++cut) {
      storage.bytes() = image;
      auto victim = Open(storage);
      storage.CutAfter(cut);
      (void)victim->Modify(name, change, kRealm);
      storage.Revive();
      auto reloaded = Open(storage);
      std::string got = Dump(*reloaded);
      ASSERT_TRUE(got == before || got == after) << "change " << change_no << " cut " << cut;
      // Life goes on after the cut: change again and reload.
      ASSERT_TRUE(reloaded->Modify(name, change, kRealm).ok()) << change_no << "/" << cut;
      EXPECT_EQ(Dump(*Open(storage)), after) << change_no << "/" << cut;
    }
    storage.bytes() = done;
    store = Open(storage);
    ASSERT_EQ(Dump(*store), after);
  }
  EXPECT_GT(checked_reclaims, 0u);
}

TEST(UserStore, CorruptRecordsAreSkippedAndCounted) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->Add({.username = Name(i), .password = "pw"}, kRealm).ok());
  }
  // Damage three records: a CRC byte, the magic, and a byte of the name.
  auto& bytes = storage.bytes();
  bytes[5 * UserStore::kRecordSize + 140] ^= 0xFF;
  bytes[9 * UserStore::kRecordSize + 1] = 0x00;
  bytes[12 * UserStore::kRecordSize + 13] ^= 0x40;
  auto again = Open(storage);
  EXPECT_EQ(again->corrupt_records(), 3u);
  EXPECT_EQ(again->size(), 23u - 3u);
}

TEST(UserStore, GarbageEverywhereNeverCrashesAndRecovers) {
  testing::RamStorage storage(kSector, kSectors);
  std::mt19937 rng(7);
  for (auto& b : storage.bytes()) b = static_cast<uint8_t>(rng());
  Status status;
  auto store = Open(storage, &status);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(store->size(), 0u);
  EXPECT_EQ(store->corrupt_records(), kSectors * (kSector / UserStore::kRecordSize));
  // Garbage sectors hold nothing live: they are erased to make room.
  ASSERT_TRUE(store->Add({.username = "2001", .password = "pw"}, kRealm).ok());
  EXPECT_EQ(Open(storage)->Find("2001")->Username(), "2001");
}

TEST(UserStore, StorageErrorsChangeNothing) {
  testing::RamStorage storage(kSector, kSectors);
  auto store = Open(storage);
  storage.fail = true;
  EXPECT_EQ(store->Add({.username = "2001", .password = "pw"}, kRealm), Status::DataLoss());
  EXPECT_EQ(store->Remove("1001"), Status::DataLoss());
  EXPECT_EQ(store->size(), 3u);
  EXPECT_NE(store->Find("1001"), nullptr);
  EXPECT_EQ(store->storage_errors(), 2u);
  storage.fail = false;
  EXPECT_EQ(Open(storage)->size(), 3u);
}

TEST(UserStore, RefusesARegionTooSmallForTheTable) {
  testing::RamStorage storage(kSector, 2);
  Status status;
  auto store = Open(storage, &status);
  EXPECT_EQ(status, Status::FailedPrecondition());
  EXPECT_EQ(store->Add({.username = "2001", .password = "pw"}, kRealm),
            Status::FailedPrecondition());
}

}  // namespace
}  // namespace gw::users
