#include "gw/auth/nonce_count.h"

namespace gw::auth {

NonceCountResult NonceCountTable::Use(NonceId id, uint32_t nc) {
  for (size_t i = 0; i < size_; ++i) {
    Entry& e = entries_[i];
    if (!(e.id() == id)) continue;
    if (nc <= e.highest_nc) return NonceCountResult::kReplay;
    e.highest_nc = nc;
    return NonceCountResult::kOk;
  }
  if (nc != 1) return NonceCountResult::kUnknown;
  if (evicted_any_ && id <= watermark_) return NonceCountResult::kUnknown;

  size_t slot = size_;
  if (size_ == kNonceCountCapacity) {
    slot = 0;
    for (size_t i = 1; i < size_; ++i) {
      if (entries_[i].id() < entries_[slot].id()) slot = i;
    }
    // Oldest-issued first: ids grow with issue order, so everything at or
    // below the watermark is older than any nonce still being tracked.
    if (!evicted_any_ || watermark_ < entries_[slot].id()) watermark_ = entries_[slot].id();
    evicted_any_ = true;
    ++evictions_;
  } else {
    ++size_;
  }
  entries_[slot] = Entry{id.issued_ms, id.serial, nc};
  return NonceCountResult::kOk;
}

void NonceCountTable::Clear() {
  size_ = 0;
  evicted_any_ = false;
  watermark_ = NonceId();
}

}  // namespace gw::auth
