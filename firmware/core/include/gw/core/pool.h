#pragma once
// Pool<T, N>: fixed objects handed out from a free list. Every pool reports
// its usage, high-water mark and refusals through PoolStats so that DSP PERF
// and the tests ("every pool back to empty") can see them.
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace gw {

struct PoolStats {
  const char* name = "";
  uint32_t capacity = 0;
  uint32_t used = 0;
  uint32_t high_water = 0;
  uint32_t refused = 0;  // acquisitions that found the pool full
};

template <typename T, size_t kCapacity>
class Pool {
 public:
  explicit Pool(const char* name) {
    stats_.name = name;
    stats_.capacity = kCapacity;
    for (size_t i = 0; i < kCapacity; ++i) next_[i] = static_cast<int32_t>(i + 1);
    next_[kCapacity - 1] = -1;
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() = default;

  // Constructs a T in a free slot; nullptr (and a refusal counted) if full.
  template <typename... Args>
  T* Acquire(Args&&... args) {
    if (free_head_ < 0) {
      ++stats_.refused;
      return nullptr;
    }
    int32_t i = free_head_;
    free_head_ = next_[i];
    next_[i] = kInUse;
    ++stats_.used;
    if (stats_.used > stats_.high_water) stats_.high_water = stats_.used;
    return new (Slot(i)) T(std::forward<Args>(args)...);
  }

  // Destroys and frees obj. Returns false (and does nothing) if obj is not a
  // live object of this pool: a broken invariant the caller should report.
  bool Release(T* obj) {
    int32_t i = IndexOf(obj);
    if (i < 0 || next_[i] != kInUse) return false;
    obj->~T();
    next_[i] = free_head_;
    free_head_ = i;
    --stats_.used;
    return true;
  }

  // Index of a live object, or -1.
  int32_t IndexOf(const T* obj) const {
    auto base = reinterpret_cast<uintptr_t>(storage_);
    auto p = reinterpret_cast<uintptr_t>(obj);
    if (p < base || p >= base + sizeof(storage_)) return -1;
    if ((p - base) % sizeof(T) != 0) return -1;
    return static_cast<int32_t>((p - base) / sizeof(T));
  }
  // The live object at index i, or nullptr.
  T* At(size_t i) {
    if (i >= kCapacity || next_[i] != kInUse) return nullptr;
    return Slot(static_cast<int32_t>(i));
  }
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (size_t i = 0; i < kCapacity; ++i)
      if (next_[i] == kInUse) fn(*Slot(static_cast<int32_t>(i)));
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < kCapacity; ++i)
      if (next_[i] == kInUse) fn(*Slot(static_cast<int32_t>(i)));
  }

  size_t used() const { return stats_.used; }
  static constexpr size_t capacity() { return kCapacity; }
  const PoolStats& stats() const { return stats_; }

 private:
  static constexpr int32_t kInUse = -2;
  T* Slot(int32_t i) { return std::launder(reinterpret_cast<T*>(storage_ + sizeof(T) * i)); }
  const T* Slot(int32_t i) const {
    return std::launder(reinterpret_cast<const T*>(storage_ + sizeof(T) * i));
  }

  alignas(T) std::byte storage_[sizeof(T) * kCapacity];
  int32_t next_[kCapacity];
  int32_t free_head_ = 0;
  PoolStats stats_;
};

}  // namespace gw
