// Table-driven over the RFC 4475 and RFC 5118 torture messages in the shared
// corpus (see /work/shared/corpus/README.md for the INDEX.tsv columns).
// Each file is loaded into a heap buffer of exactly its size, so that the
// ASan build traps any read past the end of a datagram.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fake_sender.h"
#include "gw/core/timer_wheel.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/testing/fake_uas.h"

#ifndef GW_CORPUS_DIR
#error "GW_CORPUS_DIR must name the shared corpus directory"
#endif

namespace gw::sip {
namespace {

using testing::Bytes;
using testing::FakeSender;

struct CorpusFile {
  std::string set;  // "rfc4475" or "rfc5118"
  std::string name;
  std::string klass;   // valid / invalid / app-layer
  std::string parser;  // accept / reject / reject-or-liberal / not-crash / accept-tolerate
  size_t indexed_bytes = 0;
  std::unique_ptr<char[]> data;
  size_t size = 0;
  bool loaded = false;

  std::string_view view() const { return {data.get(), size}; }
  std::string id() const { return set + "/" + name; }
};

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> cols;
  std::string col;
  std::istringstream in(line);
  while (std::getline(in, col, '\t')) cols.push_back(col);
  return cols;
}

// Loads one INDEX.tsv; bytes_column is where the size of `<name>.dat` is.
void LoadSet(const std::string& set, size_t bytes_column, std::vector<CorpusFile>& out) {
  std::filesystem::path dir = std::filesystem::path(GW_CORPUS_DIR) / set;
  std::ifstream index(dir / "INDEX.tsv");
  if (!index) return;
  std::string line;
  std::getline(index, line);  // header row
  while (std::getline(index, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cols = SplitTabs(line);
    if (cols.size() <= bytes_column) continue;
    CorpusFile f;
    f.set = set;
    f.name = cols[0];
    f.klass = cols[1];
    f.parser = cols[4];
    f.indexed_bytes = std::stoul(cols[bytes_column]);
    std::ifstream in(dir / (f.name + ".dat"), std::ios::binary);
    if (in) {
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      f.size = bytes.size();
      f.data = std::make_unique<char[]>(f.size == 0 ? 1 : f.size);
      std::copy(bytes.begin(), bytes.end(), f.data.get());
      f.loaded = true;
    }
    out.push_back(std::move(f));
  }
}

const std::vector<CorpusFile>& Corpus() {
  static const std::vector<CorpusFile> files = [] {
    std::vector<CorpusFile> v;
    LoadSet("rfc4475", 6, v);  // name class section title parser expected bytes sha256
    LoadSet("rfc5118", 8, v);  // ... archive_bytes archive_sha256 wire_bytes ...
    return v;
  }();
  return files;
}

constexpr size_t kRfc4475Files = 49;
constexpr size_t kRfc5118Files = 12;

// Every test starts here: a missing corpus is a failure, never a skip.
#define ASSERT_CORPUS_PRESENT()                               \
  do {                                                        \
    ASSERT_TRUE(std::filesystem::is_directory(GW_CORPUS_DIR)) \
        << "corpus directory missing: " << GW_CORPUS_DIR;     \
    ASSERT_EQ(Corpus().size(), kRfc4475Files + kRfc5118Files) \
        << "INDEX.tsv rows missing under " << GW_CORPUS_DIR;  \
  } while (0)

bool IsValidAccept(const CorpusFile& f) {
  // "accept-tolerate" (RFC 5118 4.10, 3 colons) is an accept the RFC insists on.
  return f.klass == "valid" && f.parser.rfind("accept", 0) == 0;
}

// Valid messages the current (pre-RFC 3261-complete) parser knowingly
// refuses. Each needs a reason; when the full parser lands and one of these
// starts parsing, ValidFilesParse fails until the entry is removed.
const std::map<std::string, std::string>& KnownStricter() {
  static const std::map<std::string, std::string> m = {};
  return m;
}

// A gateway for one corpus run: the Stack in front of a transaction layer
// whose TU (FakeUas) answers OPTIONS to the gateway 200 and the rest 501;
// the domain decides which OPTIONS are "ours".
struct Gateway {
  explicit Gateway(std::string_view domain) {
    identity.address = net::MakeIp4(192, 0, 2, 1);
    (void)identity.domain.assign(domain);
    uas.Attach(layer);
  }
  // Runs the timers until every transaction ended, forgetting retransmissions.
  void Settle() {
    for (int step = 0; step < 200 && layer.active() > 0; ++step) {
      sender.Clear();
      now_ms += 500;
      (void)timers.Advance(now_ms);
    }
    sender.Clear();
  }
  FakeSender sender;
  LocalIdentity identity;
  TimerWheel timers{0};
  gw::testing::FakeUas uas{identity};
  TransactionLayer layer{sender, timers, uas};
  gw::sip::Stack stack{sender, layer, "imsgw-test"};
  uint32_t now_ms = 0;
};

// The corpus R-URIs mostly name example.com / example.org: run each file
// against gateways owning each name, so the 200 path is exercised too.
constexpr std::string_view kDomains[] = {"example.com", "example.org", "gw.invalid"};
constexpr net::Endpoint kSource{net::MakeIp4(198, 51, 100, 7), 40000};

TEST(Corpus, IndexesAndFilesArePresentAndExact) {
  ASSERT_CORPUS_PRESENT();
  size_t n4475 = 0, n5118 = 0;
  for (const CorpusFile& f : Corpus()) {
    SCOPED_TRACE(f.id());
    (f.set == "rfc4475" ? n4475 : n5118)++;
    ASSERT_TRUE(f.loaded) << "file missing";
    EXPECT_EQ(f.size, f.indexed_bytes) << "file size differs from INDEX.tsv";
    EXPECT_FALSE(f.parser.empty());
  }
  EXPECT_EQ(n4475, kRfc4475Files);
  EXPECT_EQ(n5118, kRfc5118Files);
}

TEST(Corpus, ParseNeverBreaksOnAnyFileOrPrefix) {
  ASSERT_CORPUS_PRESENT();
  for (const CorpusFile& f : Corpus()) {
    SCOPED_TRACE(f.id());
    ASSERT_TRUE(f.loaded);
    Message m;
    Status s = m.Parse(f.view());
    EXPECT_EQ(s.ok(), m.error() == ParseError::kNone);
    EXPECT_LE(m.header_count(), Message::kMaxHeaders);
    // Views stay inside the datagram.
    for (size_t i = 0; i < m.header_count(); ++i) {
      EXPECT_GE(m.header(i).value.data(), f.data.get());
      EXPECT_LE(m.header(i).value.data() + m.header(i).value.size(), f.data.get() + f.size);
    }
    EXPECT_LE(m.body().data() + m.body().size(), f.data.get() + f.size);
    // Every truncation, each in its own exactly-sized buffer.
    for (size_t n = 0; n < f.size; ++n) {
      auto cut = std::make_unique<char[]>(n == 0 ? 1 : n);
      std::copy(f.data.get(), f.data.get() + n, cut.get());
      (void)m.Parse(std::string_view(cut.get(), n));
    }
  }
}

TEST(Corpus, StackAnswersAtMostOnceWith200Or400Or501) {
  ASSERT_CORPUS_PRESENT();
  for (const CorpusFile& f : Corpus()) {
    for (std::string_view domain : kDomains) {
      SCOPED_TRACE(f.id() + " for " + std::string(domain));
      Gateway gw(domain);
      gw.stack.OnDatagram(Bytes(f.view()), kSource);
      testing::ExpectSaneAnswer(f.view(), gw.sender, kSource);
      EXPECT_EQ(gw.stack.stats().rx_datagrams, 1u);
      gw.Settle();
      EXPECT_EQ(gw.layer.active(), 0u);
    }
  }
}

TEST(Corpus, EveryPrefixThroughTheStackIsSane) {
  ASSERT_CORPUS_PRESENT();
  Gateway gw("example.com");
  for (const CorpusFile& f : Corpus()) {
    SCOPED_TRACE(f.id());
    for (size_t n = 0; n < f.size; ++n) {
      auto cut = std::make_unique<char[]>(n == 0 ? 1 : n);
      std::copy(f.data.get(), f.data.get() + n, cut.get());
      std::string_view prefix(cut.get(), n);
      gw.Settle();
      gw.stack.OnDatagram(Bytes(prefix), kSource);
      testing::ExpectSaneAnswer(prefix, gw.sender, kSource);
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "at prefix length " << n;
        return;
      }
    }
  }
}

TEST(Corpus, ValidFilesParse) {
  ASSERT_CORPUS_PRESENT();
  size_t checked = 0;
  for (const CorpusFile& f : Corpus()) {
    if (!IsValidAccept(f)) continue;
    ++checked;
    SCOPED_TRACE(f.id());
    Message m;
    bool ok = m.Parse(f.view()).ok();
    auto known = KnownStricter().find(f.id());
    if (known == KnownStricter().end()) {
      EXPECT_TRUE(ok) << "refused: " << ParseErrorText(m.error());
    } else {
      EXPECT_FALSE(ok) << "now parses: remove it from KnownStricter (" << known->second << ")";
    }
  }
  EXPECT_EQ(checked, 13u + 11u);  // RFC 4475 3.1.1.x + RFC 5118 valid
  for (const auto& [id, why] : KnownStricter()) {
    bool listed = false;
    for (const CorpusFile& f : Corpus()) listed |= f.id() == id && IsValidAccept(f);
    EXPECT_TRUE(listed) << id << " is not a valid/accept corpus file";
  }
}

TEST(Corpus, RejectFilesNeverGet200) {
  ASSERT_CORPUS_PRESENT();
  size_t checked = 0;
  for (const CorpusFile& f : Corpus()) {
    if (f.parser != "reject") continue;
    ++checked;
    for (std::string_view domain : kDomains) {
      SCOPED_TRACE(f.id() + " for " + std::string(domain));
      Gateway gw(domain);
      gw.stack.OnDatagram(Bytes(f.view()), kSource);
      ASSERT_LE(gw.sender.count(), 1u);
      if (gw.sender.count() == 1) {
        Message resp;
        (void)resp.Parse(gw.sender.sent(0).data);
        EXPECT_NE(resp.status_code(), 200) << gw.sender.sent(0).data;
      }
      EXPECT_EQ(gw.stack.stats().tx_responses[2], 0u);
      EXPECT_EQ(gw.layer.stats().tx_responses[2], 0u);
    }
  }
  EXPECT_EQ(checked, 9u + 1u + 1u);  // invalid, app-layer (mcl01), RFC 5118 ipv6-bad
}

// Not an assertion: the current picture, one line per file, for the log.
TEST(Corpus, Summary) {
  ASSERT_CORPUS_PRESENT();
  for (const CorpusFile& f : Corpus()) {
    Message m;
    bool ok = m.Parse(f.view()).ok();
    Gateway gw("example.com");
    gw.stack.OnDatagram(Bytes(f.view()), kSource);
    std::string answer = "-";
    if (gw.sender.count() == 1) {
      const std::string& d = gw.sender.sent(0).data;
      answer = d.substr(8, d.find("\r\n") - 8);
    }
    std::printf("%-36s %-9s %-17s %-28s %s\n", f.id().c_str(), f.klass.c_str(), f.parser.c_str(),
                ok ? "parses" : std::string(ParseErrorText(m.error())).c_str(), answer.c_str());
  }
}

}  // namespace
}  // namespace gw::sip
