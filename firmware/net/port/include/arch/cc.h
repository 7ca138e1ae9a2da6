/* lwIP compiler/platform glue for every target of the project. */
#ifndef GW_LWIP_ARCH_CC_H_
#define GW_LWIP_ARCH_CC_H_

#include <stdint.h>
#include <stdlib.h>

#define LWIP_NO_INTTYPES_H 0
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_TIMEVAL_PRIVATE 0

#ifdef __cplusplus
extern "C" {
#endif
/* Defined in firmware/net: diagnostics go to the log ring, asserts panic. */
void gw_lwip_diag(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void gw_lwip_assert(const char* msg, const char* file, int line) __attribute__((noreturn));
uint32_t gw_lwip_rand(void);
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_DIAG(x) \
  do {                        \
    gw_lwip_diag x;           \
  } while (0)
#define LWIP_PLATFORM_ASSERT(x) gw_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() gw_lwip_rand()

#endif
