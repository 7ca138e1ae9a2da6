#include "gw/config/json_arena.h"

#include "cJSON.h"

namespace gw::config {
namespace {

// cJSON's hooks are plain function pointers without a context, so the
// arena in use is reached through this one pointer, set only by a scope.
JsonArena* g_active = nullptr;

void* ArenaMalloc(size_t size) {
  if (g_active == nullptr) return nullptr;  // never fall back to the heap
  return g_active->Allocate(size);
}
void ArenaFree(void*) {}

}  // namespace

void* JsonArena::Allocate(size_t size) {
  constexpr size_t kAlign = alignof(std::max_align_t);
  size_t start = (used_ + kAlign - 1) & ~(kAlign - 1);
  if (size > kSize || start > kSize - size) {
    ++exhaustions_;
    exhausted_ = true;
    return nullptr;
  }
  used_ = start + size;
  if (used_ > high_water_) high_water_ = used_;
  return buffer_ + start;
}

void JsonArena::Reset() {
  used_ = 0;
  exhausted_ = false;
}

JsonArenaScope::JsonArenaScope(JsonArena& arena) : arena_(arena), active_(g_active == nullptr) {
  static bool hooks_installed = false;
  if (!hooks_installed) {
    cJSON_Hooks hooks{&ArenaMalloc, &ArenaFree};
    cJSON_InitHooks(&hooks);
    hooks_installed = true;
  }
  if (active_) {
    arena_.Reset();
    g_active = &arena_;
  }
}

JsonArenaScope::~JsonArenaScope() {
  if (active_) {
    g_active = nullptr;
    arena_.Reset();
  }
}

bool JsonNestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace gw::config
