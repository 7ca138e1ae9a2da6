/* mbedTLS configuration of the gateway: digests (MD5, SHA-256), HMAC and a
 * CTR-DRBG seeded from the HAL's entropy. Nothing else yet (TLS comes later). */
#ifndef GW_MBEDTLS_CONFIG_H_
#define GW_MBEDTLS_CONFIG_H_

#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_AES_C
#define MBEDTLS_CTR_DRBG_C
/* No file system, no OS entropy: the firmware seeds the DRBG itself. */
#define MBEDTLS_NO_PLATFORM_ENTROPY

#include "mbedtls/check_config.h"

#endif
