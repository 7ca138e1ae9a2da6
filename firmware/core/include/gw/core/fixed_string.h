#pragma once
// String<N>: a NUL-terminated string with a fixed capacity. Appends that do
// not fit are refused whole (ResourceExhausted), never silently cut, unless
// the caller asks for truncation explicitly.
#include <cstdarg>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "gw/core/status.h"

namespace gw {

class StringBase {
 public:
  StringBase(const StringBase&) = delete;
  StringBase& operator=(const StringBase&) = delete;

  std::string_view view() const { return {data_, size_}; }
  const char* c_str() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    size_ = 0;
    data_[0] = '\0';
  }

  Status assign(std::string_view s) {
    if (s.size() > capacity_) return Status::ResourceExhausted();
    clear();
    return append(s);
  }
  Status append(std::string_view s) {
    if (s.size() > capacity_ - size_) return Status::ResourceExhausted();
    if (s.empty()) return Status::Ok();  // an empty view may have no data
    std::memcpy(data_ + size_, s.data(), s.size());
    size_ += s.size();
    data_[size_] = '\0';
    return Status::Ok();
  }
  Status push_back(char c) { return append(std::string_view(&c, 1)); }
  // Appends as much as fits; returns false if anything was cut.
  bool AppendTruncated(std::string_view s);
  // printf-style append. ResourceExhausted (and nothing appended) if the
  // result does not fit.
  Status Format(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  Status FormatV(const char* fmt, va_list args);

 protected:
  StringBase(char* data, size_t capacity) : data_(data), capacity_(capacity) { data_[0] = '\0'; }
  ~StringBase() = default;

 private:
  char* data_;
  size_t size_ = 0;
  size_t capacity_;
};

template <size_t kCapacity>
class String : public StringBase {
 public:
  String() : StringBase(buf_, kCapacity) {}
  explicit String(std::string_view s) : StringBase(buf_, kCapacity) { AppendTruncated(s); }
  String(const String& other) : StringBase(buf_, kCapacity) { AppendTruncated(other.view()); }
  String& operator=(const String& other) {
    if (this != &other) {
      clear();
      AppendTruncated(other.view());
    }
    return *this;
  }

 private:
  char buf_[kCapacity + 1];
};

}  // namespace gw
