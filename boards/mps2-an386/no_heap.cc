// No heap after init (brief 2): on the board every path into a heap traps
// with a clear message instead of quietly growing into the stack.
//
// - newlib's malloc family gets its memory from _sbrk: ours panics, so
//   malloc/calloc/realloc (and anything that calls them, e.g. stdio on a
//   FILE without a buffer) stops at the first call.
// - The global operator new/delete (every form) panic too. operator delete
//   must exist because every class with a virtual destructor has a deleting
//   destructor in its vtable; it is never called by code that does not use
//   `delete`.
// - Static destructors never run on a board: __cxa_atexit records nothing
//   (newlib's version may allocate once its 32 static slots are used).
#include <cstddef>
#include <new>

#include "gw/hal/cpu.h"

extern "C" {

void* _sbrk(ptrdiff_t increment) {
  (void)increment;
  gw::hal::Panic("heap use: malloc/_sbrk called (no heap on this board)");
}

int __cxa_atexit(void (*destructor)(void*), void* object, void* dso_handle) {
  (void)destructor;
  (void)object;
  (void)dso_handle;
  return 0;
}

void __cxa_pure_virtual() {
  gw::hal::Panic("pure virtual function called");
}

void abort() {
  gw::hal::Panic("abort() called");
}

void __assert_func(const char* file, int line, const char* function, const char* expression) {
  (void)line;
  (void)function;
  (void)file;
  gw::hal::Panic(expression != nullptr ? expression : "assert");
}

}  // extern "C"

namespace {
[[noreturn]] void NewCalled() {
  gw::hal::Panic("heap use: operator new called");
}
[[noreturn]] void DeleteCalled() {
  gw::hal::Panic("heap use: operator delete called");
}
}  // namespace

void* operator new(std::size_t) {
  NewCalled();
}
void* operator new[](std::size_t) {
  NewCalled();
}
void* operator new(std::size_t, const std::nothrow_t&) noexcept {
  NewCalled();
}
void* operator new[](std::size_t, const std::nothrow_t&) noexcept {
  NewCalled();
}
void* operator new(std::size_t, std::align_val_t) {
  NewCalled();
}
void* operator new[](std::size_t, std::align_val_t) {
  NewCalled();
}
void* operator new(std::size_t, std::align_val_t, const std::nothrow_t&) noexcept {
  NewCalled();
}
void* operator new[](std::size_t, std::align_val_t, const std::nothrow_t&) noexcept {
  NewCalled();
}

void operator delete(void*) noexcept {
  DeleteCalled();
}
void operator delete[](void*) noexcept {
  DeleteCalled();
}
void operator delete(void*, std::size_t) noexcept {
  DeleteCalled();
}
void operator delete[](void*, std::size_t) noexcept {
  DeleteCalled();
}
void operator delete(void*, const std::nothrow_t&) noexcept {
  DeleteCalled();
}
void operator delete[](void*, const std::nothrow_t&) noexcept {
  DeleteCalled();
}
void operator delete(void*, std::align_val_t) noexcept {
  DeleteCalled();
}
void operator delete[](void*, std::align_val_t) noexcept {
  DeleteCalled();
}
void operator delete(void*, std::size_t, std::align_val_t) noexcept {
  DeleteCalled();
}
void operator delete[](void*, std::size_t, std::align_val_t) noexcept {
  DeleteCalled();
}
void operator delete(void*, std::align_val_t, const std::nothrow_t&) noexcept {
  DeleteCalled();
}
void operator delete[](void*, std::align_val_t, const std::nothrow_t&) noexcept {
  DeleteCalled();
}
