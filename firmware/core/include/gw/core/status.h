#pragma once
// Errors are values: Status and Result<T>, both [[nodiscard]], and GW_TRY.
// Codes follow Pigweed's (and absl's) vocabulary.
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace gw {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kOutOfRange,
  kUnimplemented,
  kInternal,
  kUnavailable,
  kDataLoss,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  constexpr Status() = default;
  constexpr Status(StatusCode code) : code_(code) {}  // NOLINT: implicit

  static constexpr Status Ok() { return {}; }
  static constexpr Status InvalidArgument() { return StatusCode::kInvalidArgument; }
  static constexpr Status NotFound() { return StatusCode::kNotFound; }
  static constexpr Status AlreadyExists() { return StatusCode::kAlreadyExists; }
  static constexpr Status PermissionDenied() { return StatusCode::kPermissionDenied; }
  static constexpr Status ResourceExhausted() { return StatusCode::kResourceExhausted; }
  static constexpr Status FailedPrecondition() { return StatusCode::kFailedPrecondition; }
  static constexpr Status OutOfRange() { return StatusCode::kOutOfRange; }
  static constexpr Status Unimplemented() { return StatusCode::kUnimplemented; }
  static constexpr Status Internal() { return StatusCode::kInternal; }
  static constexpr Status Unavailable() { return StatusCode::kUnavailable; }
  static constexpr Status DataLoss() { return StatusCode::kDataLoss; }

  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  const char* str() const { return StatusCodeName(code_); }
  // Explicitly drops a status the caller has decided not to act on.
  constexpr void IgnoreError() const {}

  friend constexpr bool operator==(Status a, Status b) { return a.code_ == b.code_; }

 private:
  StatusCode code_ = StatusCode::kOk;
};

// A value or a non-OK status. T must be default-constructible-free: storage
// is a union, so Result<T> never calls T's default constructor.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : status_(), has_value_(true) {  // NOLINT
    new (&value_) T(value);
  }
  Result(T&& value) : status_(), has_value_(true) {  // NOLINT
    new (&value_) T(std::move(value));
  }
  Result(Status status) : status_(status), has_value_(false) {}  // NOLINT
  Result(StatusCode code) : status_(code), has_value_(false) {}  // NOLINT
  Result(const Result& other) : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) new (&value_) T(other.value_);
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      has_value_ = other.has_value_;
      if (has_value_) new (&value_) T(other.value_);
    }
    return *this;
  }
  ~Result() { Reset(); }

  bool ok() const { return has_value_; }
  Status status() const { return has_value_ ? Status() : status_; }
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  T value_or(T fallback) const { return has_value_ ? value_ : fallback; }

 private:
  void Reset() {
    if (has_value_) value_.~T();
    has_value_ = false;
  }
  Status status_;
  bool has_value_;
  union {
    T value_;
  };
};

namespace internal {
inline Status ToStatus(Status s) {
  return s;
}
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace gw

#define GW_CONCAT_INNER(a, b) a##b
#define GW_CONCAT(a, b) GW_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if expr is not OK.
#define GW_TRY(expr)                                                                             \
  do {                                                                                           \
    if (::gw::Status gw_try_s = ::gw::internal::ToStatus(expr); !gw_try_s.ok()) return gw_try_s; \
  } while (0)

// Declares lhs from a Result's value, or returns its status.
#define GW_TRY_ASSIGN(lhs, expr) GW_TRY_ASSIGN_IMPL(GW_CONCAT(gw_try_r_, __LINE__), lhs, expr)
// tmp and lhs are a declaration and an assignment target: no parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define GW_TRY_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                       \
  if (!tmp.ok()) return tmp.status();      \
  lhs = std::move(tmp.value())
// NOLINTEND(bugprone-macro-parentheses)
