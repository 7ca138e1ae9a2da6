#include "gw/host/file_storage.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <string>

namespace gw::host {
namespace {

class FileStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gw-host-storage-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/region.bin";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
  std::string path_;
};

std::array<std::byte, 4> Bytes(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {std::byte{a}, std::byte{b}, std::byte{c}, std::byte{d}};
}

TEST_F(FileStorageTest, NewFileIsErasedAndSized) {
  FileStorage s(4096, 2);
  ASSERT_TRUE(s.Open(path_.c_str()).ok());
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 8192);
  EXPECT_EQ(s.Size(), 8192u);
  std::array<std::byte, 16> out{};
  ASSERT_TRUE(s.Read(8192 - 16, out).ok());
  for (std::byte b : out) EXPECT_EQ(b, std::byte{0xFF});
}

TEST_F(FileStorageTest, ProgramAndsBitsAndEraseResets) {
  FileStorage s(4096, 2);
  ASSERT_TRUE(s.Open(path_.c_str()).ok());
  ASSERT_TRUE(s.Program(4094, Bytes(0xF0, 0x0F, 0x33, 0xFF)).ok());
  ASSERT_TRUE(s.Program(4094, Bytes(0x3C, 0xFF, 0x0F, 0x00)).ok());
  std::array<std::byte, 4> out{};
  ASSERT_TRUE(s.Read(4094, out).ok());
  EXPECT_EQ(out, Bytes(0x30, 0x0F, 0x03, 0x00));
  ASSERT_TRUE(s.EraseSector(1).ok());  // bytes 4096.. only
  ASSERT_TRUE(s.Read(4094, out).ok());
  EXPECT_EQ(out, Bytes(0x30, 0x0F, 0xFF, 0xFF));
}

TEST_F(FileStorageTest, BoundsAreChecked) {
  FileStorage s(4096, 2);
  ASSERT_TRUE(s.Open(path_.c_str()).ok());
  std::array<std::byte, 4> buf{};
  EXPECT_EQ(s.Read(8190, buf), Status::OutOfRange());
  EXPECT_EQ(s.Read(SIZE_MAX - 1, buf), Status::OutOfRange());
  EXPECT_EQ(s.Program(8189, buf), Status::OutOfRange());
  EXPECT_EQ(s.EraseSector(2), Status::OutOfRange());
  EXPECT_TRUE(s.Read(8188, buf).ok());
  EXPECT_TRUE(s.Read(8192, std::span<std::byte>()).ok());
}

TEST_F(FileStorageTest, DataSurvivesReopen) {
  {
    FileStorage s(4096, 2);
    ASSERT_TRUE(s.Open(path_.c_str()).ok());
    ASSERT_TRUE(s.Program(100, Bytes(1, 2, 3, 4)).ok());
  }
  FileStorage s(4096, 2);
  ASSERT_TRUE(s.Open(path_.c_str()).ok());
  std::array<std::byte, 4> out{};
  ASSERT_TRUE(s.Read(100, out).ok());
  EXPECT_EQ(out, Bytes(1, 2, 3, 4));
}

TEST_F(FileStorageTest, ShortFileIsExtendedWithErasedBytes) {
  {
    FileStorage s(4096, 1);
    ASSERT_TRUE(s.Open(path_.c_str()).ok());
    ASSERT_TRUE(s.Program(0, Bytes(0, 0, 0, 0)).ok());
  }
  FileStorage s(4096, 2);
  ASSERT_TRUE(s.Open(path_.c_str()).ok());
  std::array<std::byte, 4> out{};
  ASSERT_TRUE(s.Read(0, out).ok());
  EXPECT_EQ(out, Bytes(0, 0, 0, 0));
  ASSERT_TRUE(s.Read(4096, out).ok());
  EXPECT_EQ(out, Bytes(0xFF, 0xFF, 0xFF, 0xFF));
}

TEST_F(FileStorageTest, SecondOpenOfSameFileIsRefused) {
  FileStorage a(4096, 1);
  FileStorage b(4096, 1);
  ASSERT_TRUE(a.Open(path_.c_str()).ok());
  EXPECT_EQ(b.Open(path_.c_str()), Status::FailedPrecondition());
  a.Close();
  EXPECT_TRUE(b.Open(path_.c_str()).ok());
}

TEST_F(FileStorageTest, MissingDirectoryIsUnavailable) {
  FileStorage s(4096, 1);
  std::string bad = dir_ + "/no/such/dir/x.bin";
  EXPECT_EQ(s.Open(bad.c_str()), Status::Unavailable());
  std::array<std::byte, 4> out{};
  EXPECT_EQ(s.Read(0, out), Status::DataLoss());
}

}  // namespace
}  // namespace gw::host
