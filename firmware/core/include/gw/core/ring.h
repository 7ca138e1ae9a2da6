#pragma once
// Ring<T, N>: a fixed FIFO. Push refuses when full; PushOverwrite drops the
// oldest entry (for rings whose purpose is "the most recent N", like logs).
#include <cstddef>

#include "gw/core/status.h"

namespace gw {

template <typename T, size_t kCapacity>
class Ring {
 public:
  size_t size() const { return size_; }
  static constexpr size_t capacity() { return kCapacity; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == kCapacity; }

  // ResourceExhausted when full.
  Status Push(const T& v) {
    if (full()) return Status::ResourceExhausted();
    items_[(head_ + size_) % kCapacity] = v;
    ++size_;
    return Status::Ok();
  }
  // Returns true if an old entry was overwritten.
  bool PushOverwrite(const T& v) {
    bool dropped = full();
    if (dropped) Pop().IgnoreError();
    items_[(head_ + size_) % kCapacity] = v;
    ++size_;
    return dropped;
  }
  // The slot the next PushOverwrite would fill, made current; lets callers
  // fill large entries in place without a temporary.
  T& EmplaceOverwrite() {
    if (full()) Pop().IgnoreError();
    T& slot = items_[(head_ + size_) % kCapacity];
    ++size_;
    return slot;
  }
  // NotFound when empty.
  Status Pop() {
    if (empty()) return Status::NotFound();
    head_ = (head_ + 1) % kCapacity;
    --size_;
    return Status::Ok();
  }
  T& front() { return items_[head_]; }
  // i = 0 is the oldest entry.
  const T& operator[](size_t i) const { return items_[(head_ + i) % kCapacity]; }
  T& operator[](size_t i) { return items_[(head_ + i) % kCapacity]; }
  void clear() { head_ = size_ = 0; }

 private:
  T items_[kCapacity]{};
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace gw
