#pragma once
// Vector<T, N>: a vector with a fixed capacity and no allocation. APIs take
// VectorBase<T>& so they do not carry the capacity in their type.
#include <cstddef>
#include <new>
#include <utility>

#include "gw/core/status.h"

namespace gw {

template <typename T>
class VectorBase {
 public:
  VectorBase(const VectorBase&) = delete;
  VectorBase& operator=(const VectorBase&) = delete;

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }

  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }

  // ResourceExhausted when full; the vector is unchanged.
  Status push_back(const T& value) {
    if (full()) return Status::ResourceExhausted();
    new (&data_[size_]) T(value);
    ++size_;
    return Status::Ok();
  }
  template <typename... Args>
  Result<T*> emplace_back(Args&&... args) {
    if (full()) return Status::ResourceExhausted();
    T* slot = new (&data_[size_]) T(std::forward<Args>(args)...);
    ++size_;
    return slot;
  }
  void pop_back() {
    if (size_ > 0) data_[--size_].~T();
  }
  // Removes element i, keeping order. OutOfRange for a bad index.
  Status erase(size_t i) {
    if (i >= size_) return Status::OutOfRange();
    for (size_t k = i; k + 1 < size_; ++k) data_[k] = std::move(data_[k + 1]);
    pop_back();
    return Status::Ok();
  }
  void clear() {
    while (size_ > 0) pop_back();
  }

 protected:
  VectorBase(T* data, size_t capacity) : data_(data), capacity_(capacity) {}
  ~VectorBase() = default;

 private:
  T* data_;
  size_t size_ = 0;
  size_t capacity_;
};

template <typename T, size_t kCapacity>
class Vector : public VectorBase<T> {
 public:
  Vector() : VectorBase<T>(reinterpret_cast<T*>(storage_), kCapacity) {}
  ~Vector() { this->clear(); }

 private:
  alignas(T) std::byte storage_[sizeof(T) * kCapacity];  // NOLINT(bugprone-sizeof-expression)
};

}  // namespace gw
