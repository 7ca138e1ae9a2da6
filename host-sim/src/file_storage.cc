#include "gw/host/file_storage.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace gw::host {
namespace {
constexpr size_t kChunk = 4096;
}  // namespace

FileStorage::~FileStorage() {
  Close();
}

void FileStorage::Close() {
  if (fd_ >= 0) {
    close(fd_);  // releases the flock too
    fd_ = -1;
  }
}

Status FileStorage::Open(const char* path) {
  Close();
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable();
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return Status::FailedPrecondition();
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return Status::DataLoss();
  }
  fd_ = fd;
  const size_t size = Size();
  const size_t have = static_cast<size_t>(st.st_size);
  if (have < size) {
    // New or shorter (a region that grew): the missing part is erased flash.
    if (Status s = FillErased(have, size - have); !s.ok()) {
      Close();
      return s;
    }
    if (fdatasync(fd_) != 0) {
      Close();
      return Status::DataLoss();
    }
  }
  return Status::Ok();
}

bool FileStorage::InRange(size_t offset, size_t length) const {
  return offset <= Size() && length <= Size() - offset;
}

Status FileStorage::WriteAll(size_t offset, const std::byte* data, size_t length) {
  while (length > 0) {
    ssize_t w = pwrite(fd_, data, length, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::DataLoss();
    data += w;
    offset += static_cast<size_t>(w);
    length -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status FileStorage::FillErased(size_t offset, size_t length) {
  std::byte ff[kChunk];
  std::memset(ff, 0xFF, sizeof ff);
  while (length > 0) {
    size_t n = length < kChunk ? length : kChunk;
    if (Status s = WriteAll(offset, ff, n); !s.ok()) return s;
    offset += n;
    length -= n;
  }
  return Status::Ok();
}

Status FileStorage::DoRead(size_t offset, std::span<std::byte> out) {
  if (!InRange(offset, out.size())) return Status::OutOfRange();
  if (fd_ < 0) return Status::DataLoss();
  size_t done = 0;
  while (done < out.size()) {
    ssize_t r = pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Status::DataLoss();
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

Status FileStorage::DoEraseSector(size_t sector) {
  if (sector >= sector_count_) return Status::OutOfRange();
  if (fd_ < 0) return Status::DataLoss();
  if (Status s = FillErased(sector * sector_size_, sector_size_); !s.ok()) {
    return s;
  }
  return fdatasync(fd_) == 0 ? Status::Ok() : Status::DataLoss();
}

Status FileStorage::DoProgram(size_t offset, std::span<const std::byte> bytes) {
  if (!InRange(offset, bytes.size())) return Status::OutOfRange();
  if (fd_ < 0) return Status::DataLoss();
  std::byte cell[kChunk];
  size_t done = 0;
  while (done < bytes.size()) {
    size_t n = bytes.size() - done < kChunk ? bytes.size() - done : kChunk;
    if (Status s = DoRead(offset + done, std::span(cell, n)); !s.ok()) return s;
    for (size_t i = 0; i < n; ++i) cell[i] &= bytes[done + i];  // flash: 1 -> 0 only
    if (Status s = WriteAll(offset + done, cell, n); !s.ok()) return s;
    done += n;
  }
  return fdatasync(fd_) == 0 ? Status::Ok() : Status::DataLoss();
}

}  // namespace gw::host
