#pragma once
// cJSON without a heap: a fixed bump arena that cJSON allocates from while a
// JsonArenaScope is alive. free() is a no-op; the whole arena is reset when
// the scope ends, so one scope = one document. Owned by the composition root
// and shared by every module that reads or writes JSON (config, users).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gw::config {

class JsonArena {
 public:
  static constexpr size_t kSize = size_t{16} * 1024;

  JsonArena() = default;
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;

  size_t used() const { return used_; }
  size_t high_water() const { return high_water_; }
  // Allocations refused because the arena was full (since construction).
  uint32_t exhaustions() const { return exhaustions_; }
  // True if an allocation was refused since the current scope began.
  bool exhausted() const { return exhausted_; }

  // Bump allocation, aligned for any type; nullptr (and counted) when full.
  void* Allocate(size_t size);
  void Reset();

 private:
  alignas(alignof(std::max_align_t)) std::byte buffer_[kSize];
  size_t used_ = 0;
  size_t high_water_ = 0;
  uint32_t exhaustions_ = 0;
  bool exhausted_ = false;
};

// Routes cJSON's allocations into `arena` for the scope's lifetime, then
// resets the arena. Scopes do not nest (a second one is a broken invariant:
// it is refused by active() == false and allocations fail cleanly).
class JsonArenaScope {
 public:
  explicit JsonArenaScope(JsonArena& arena);
  ~JsonArenaScope();
  JsonArenaScope(const JsonArenaScope&) = delete;
  JsonArenaScope& operator=(const JsonArenaScope&) = delete;
  bool active() const { return active_; }

 private:
  JsonArena& arena_;
  bool active_;
};

// True if `text` nests objects/arrays no deeper than max_depth (strings are
// skipped). cJSON parses recursively; this bounds the stack before parsing.
bool JsonNestingWithin(std::string_view text, int max_depth);

}  // namespace gw::config
