#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cJSON.h"
#include "gw/testing/fake_hal.h"
#include "gw/users/user_store.h"

namespace gw::users {
namespace {

constexpr std::string_view kRealm = "imsgw.local";

config::JsonArena& Arena() {
  static config::JsonArena arena;
  return arena;
}

class UserJsonTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_->Load(kRealm).ok()); }

  static void Collect(void* ctx, std::string_view line) {
    static_cast<std::vector<std::string>*>(ctx)->emplace_back(line);
  }
  std::string Export(UserStore& store) {
    std::vector<std::string> lines;
    EXPECT_TRUE(store.ExportJson(&Collect, &lines).ok());
    std::string doc;
    for (const auto& l : lines) doc += l + "\n";
    return doc;
  }
  std::string Dump(const UserStore& store) {
    std::string out;
    for (size_t i = 0; i < store.size(); ++i) {
      const Subscriber& u = store[i];
      out += std::string(u.Username()) + "|" + std::string(u.DisplayName()) + "|" +
             std::string(u.Ha1Md5()) + "|" + std::string(u.Ha1Sha256()) + "|" +
             StatusName(u.status) + "|" + ClassName(u.user_class) + "\n";
    }
    return out;
  }

  testing::RamStorage storage_{4096, 16};
  std::unique_ptr<UserStore> store_ = std::make_unique<UserStore>(storage_, Arena());
};

TEST_F(UserJsonTest, ExportIsOneObjectPerLine) {
  std::vector<std::string> lines;
  ASSERT_TRUE(store_->ExportJson(&Collect, &lines).ok());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "[");
  EXPECT_EQ(lines[1],
            "{\"username\":\"1001\",\"display_name\":\"User 1001\","
            "\"ha1_md5\":\"90bf9ff902d663524a5f9a7470fdbbe2\","
            "\"ha1_sha256\":\"8e19d145f850afc009145b829df032b93f3bd1a00e7082891c2241d027d8698c\","
            "\"status\":\"ACTIVE\",\"class\":\"BASIC\"},");
  EXPECT_EQ(lines[3].back(), '}');
  EXPECT_EQ(lines[4], "]");
  EXPECT_EQ(Arena().used(), 0u);  // every scope ended
}

TEST_F(UserJsonTest, ExportImportRoundTripOfAFullTable) {
  ASSERT_TRUE(store_
                  ->Add({.username = "q.uote",
                         .password = "pw",
                         .display_name = "Say \"hi\" \\ Jürgen 東京",
                         .status = UserStatus::kSuspended,
                         .user_class = Class::kVip},
                        kRealm)
                  .ok());
  for (size_t i = store_->size(); i < UserStore::kCapacity; ++i) {
    ASSERT_TRUE(store_
                    ->Add({.username = "user-" + std::to_string(i),
                           .password = "pw",
                           .display_name = "Display name of user number " + std::to_string(i)},
                          kRealm)
                    .ok());
  }
  std::string doc = Export(*store_);
  EXPECT_LT(doc.size(), UserStore::kMaxImportBytes);
  // Into a fresh store (which starts with 1001..1003: those are replaced).
  testing::RamStorage other{4096, 16};
  auto target = std::make_unique<UserStore>(other, Arena());
  ASSERT_TRUE(target->Load(kRealm).ok());
  ImportError error;
  auto result = target->ImportJson(doc, kRealm, &error);
  ASSERT_TRUE(result.ok()) << error.message.c_str();
  EXPECT_EQ(result->added, 253u);
  EXPECT_EQ(result->modified, 3u);
  EXPECT_EQ(Dump(*target), Dump(*store_));
  // And it persisted.
  auto reloaded = std::make_unique<UserStore>(other, Arena());
  ASSERT_TRUE(reloaded->Load(kRealm).ok());
  EXPECT_EQ(Dump(*reloaded), Dump(*store_));
}

TEST_F(UserJsonTest, ImportWithPasswordsHashesWithTheRealm) {
  ImportError error;
  auto result = store_->ImportJson(
      R"([ {"username":"2001","password":"pw","class":"premium"},
           {"username":"1001","password":"changed","status":"INACTIVE"},
           {"username":"2002","ha1_md5":"0123456789ABCDEF0123456789ABCDEF",
            "ha1_sha256":"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"} ])",
      "example.com", &error);
  ASSERT_TRUE(result.ok()) << error.message.c_str();
  EXPECT_EQ(result->added, 2u);
  EXPECT_EQ(result->modified, 1u);
  const Subscriber* u = store_->Find("2001");
  ASSERT_NE(u, nullptr);
  // python3: hashlib.md5(b"2001:example.com:pw").hexdigest()
  EXPECT_EQ(u->Ha1Md5(), "b8b0230c70725a088ccb7c3bdea498e3");
  EXPECT_EQ(u->user_class, Class::kPremium);
  EXPECT_EQ(u->status, UserStatus::kActive);
  EXPECT_EQ(u->DisplayName(), "");
  EXPECT_EQ(store_->Find("1001")->status, UserStatus::kInactive);
  EXPECT_TRUE(store_->RealmMatches("1001", "example.com"));
  EXPECT_EQ(store_->Find("2002")->Ha1Md5(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(store_->Find("2002")->Ha1Sha256(),
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
}

struct BadCase {
  const char* doc;
  int32_t index;
  Field field;
  const char* message;
};

TEST_F(UserJsonTest, BadImportChangesNothingAndNamesEntryAndField) {
  const BadCase cases[] = {
      {R"([{"username":"2001","password":"a"},{"username":"2002","password":"b"},
           {"username":"2003","password":"c","status":"LOCKED"}])",
       2, Field::kStatus,
       "entry 2, field \"status\": invalid value (allowed: ACTIVE, INACTIVE, SUSPENDED)"},
      {R"([{"username":"2001","password":"a"},{"password":"b"}])", 1, Field::kUsername,
       "entry 1, field \"username\": missing"},
      {R"([{"username":"bad name","password":"a"}])", 0, Field::kUsername,
       "entry 0, field \"username\": invalid value (allowed: letters, digits, '.', '_', '-'; "
       "1..32 characters)"},
      {R"([{"username":"2001","pasword":"a"}])", 0, Field::kNone,
       "entry 0: unknown field \"pasword\" (allowed: username, display_name, password, "
       "ha1_md5, ha1_sha256, status, class)"},
      {R"([{"username":"2001","password":"a","ha1_md5":"00"}])", 0, Field::kPassword,
       "entry 0, field \"password\": give either password or ha1_md5 + ha1_sha256, not both"},
      {R"([{"username":"2001","ha1_md5":"0123456789abcdef0123456789abcdef"}])", 0,
       Field::kHa1Sha256,
       "entry 0, field \"ha1_sha256\": missing (give password, or ha1_md5 and ha1_sha256)"},
      {R"([{"username":"2001","ha1_md5":"xyz","ha1_sha256":"00"}])", 0, Field::kHa1Md5,
       "entry 0, field \"ha1_md5\": invalid value (allowed: exactly 32 hex digits)"},
      {R"([{"username":"2001","password":"a","class":7}])", 0, Field::kClass,
       "entry 0, field \"class\": must be a string"},
      {R"([{"username":"2001","password":"a"},{"username":"2001","password":"b"}])", 1,
       Field::kUsername, "entry 1, field \"username\": \"2001\" also in entry 0"},
      {R"([{"username":"2001","password":"a","x":{"y":1}}])", 0, Field::kNone,
       "entry 0: must be a flat object of strings"},
      {R"([{"username":"2001","password":"a"}, 42])", 1, Field::kNone,
       "entry 1: must be an object"},
      {R"({"username":"2001","password":"a"})", -1, Field::kNone,
       "document must be a JSON list [ {...}, ... ]"},
      {R"([{"username":"2001","password":"a"}] trailing)", -1, Field::kNone,
       "document must be a JSON list: expected ',' or ']' at byte 37"},
      {R"([{"username":"2001","password":"a"})", -1, Field::kNone,
       "document must be a JSON list: expected ',' or ']' at byte 35"},
      {R"([{"username":"2001","password":"a",}])", 0, Field::kNone, "entry 0: not valid JSON"},
  };
  std::string before = Dump(*store_);
  uint32_t seq = store_->sequence();
  for (const BadCase& c : cases) {
    ImportError error;
    auto result = store_->ImportJson(c.doc, kRealm, &error);
    EXPECT_FALSE(result.ok()) << c.doc;
    EXPECT_EQ(error.index, c.index) << c.doc;
    EXPECT_EQ(error.field, c.field) << c.doc;
    EXPECT_EQ(error.message.view(), c.message) << c.doc;
    EXPECT_EQ(Dump(*store_), before) << c.doc;
  }
  EXPECT_EQ(store_->sequence(), seq);  // not one record written
  EXPECT_EQ(Arena().used(), 0u);
}

TEST_F(UserJsonTest, OversizeDocumentsAndEntriesAreRefused) {
  std::string doc = "[" + std::string(UserStore::kMaxImportBytes, ' ') + "]";
  ImportError error;
  auto result = store_->ImportJson(doc, kRealm, &error);
  EXPECT_EQ(result.status(), Status::ResourceExhausted());
  EXPECT_EQ(error.index, -1);
  EXPECT_EQ(error.message.view(), "document of 81922 bytes exceeds the limit of 81920 bytes");

  std::string big =
      R"([{"username":"2001","password":"a","display_name":")" + std::string(1100, 'x') + R"("}])";
  result = store_->ImportJson(big, kRealm, &error);
  EXPECT_EQ(result.status(), Status::ResourceExhausted());
  EXPECT_EQ(error.message.view(), "entry 0: longer than 1024 bytes");
}

TEST_F(UserJsonTest, ImportBeyondCapacityIsRefusedWhole) {
  for (size_t i = store_->size(); i < UserStore::kCapacity - 1; ++i) {
    ASSERT_TRUE(store_->Add({.username = "u" + std::to_string(i), .password = "p"}, kRealm).ok());
  }
  ImportError error;
  auto result = store_->ImportJson(
      R"([{"username":"1001","password":"x"},{"username":"new1","password":"x"},
          {"username":"new2","password":"x"}])",
      kRealm, &error);
  EXPECT_EQ(result.status(), Status::ResourceExhausted());
  EXPECT_EQ(error.index, 2);
  EXPECT_EQ(error.message.view(),
            "entry 2, field \"username\": the user table is full (256 users)");
  EXPECT_EQ(store_->Find("new1"), nullptr);
  EXPECT_EQ(store_->size(), 255u);
}

TEST_F(UserJsonTest, EmptyListImportsNothing) {
  auto result = store_->ImportJson(" [ ] ", kRealm);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->added + result->modified, 0u);
}

}  // namespace
}  // namespace gw::users
