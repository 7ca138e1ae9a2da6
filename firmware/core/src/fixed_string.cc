#include "gw/core/fixed_string.h"

#include <cstdio>

namespace gw {

bool StringBase::AppendTruncated(std::string_view s) {
  size_t room = capacity_ - size_;
  bool cut = s.size() > room;
  (void)append(s.substr(0, cut ? room : s.size()));
  return !cut;
}

Status StringBase::Format(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  Status s = FormatV(fmt, args);
  va_end(args);
  return s;
}

Status StringBase::FormatV(const char* fmt, va_list args) {
  size_t room = capacity_ - size_;
  int n = std::vsnprintf(data_ + size_, room + 1, fmt, args);
  if (n < 0) {
    data_[size_] = '\0';
    return Status::InvalidArgument();
  }
  if (static_cast<size_t>(n) > room) {
    data_[size_] = '\0';
    return Status::ResourceExhausted();
  }
  size_ += static_cast<size_t>(n);
  return Status::Ok();
}

}  // namespace gw
