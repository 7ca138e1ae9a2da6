# Third-party libraries built from Debian's source packages (fetched by
# cmake/fetch-deps.sh into a cache outside the tree), compiled with the
# project's own configuration for every target alike.

set(GW_DEPS_DIR "" CACHE PATH "Unpacked Debian source packages (default: ~/.cache/imsgw/deps)")
if(NOT GW_DEPS_DIR)
  if(DEFINED ENV{IMSGW_DEPS_DIR})
    set(GW_DEPS_DIR "$ENV{IMSGW_DEPS_DIR}")
  elseif(DEFINED ENV{XDG_CACHE_HOME})
    set(GW_DEPS_DIR "$ENV{XDG_CACHE_HOME}/imsgw/deps")
  else()
    set(GW_DEPS_DIR "$ENV{HOME}/.cache/imsgw/deps")
  endif()
endif()

execute_process(
  COMMAND bash ${CMAKE_SOURCE_DIR}/cmake/fetch-deps.sh ${GW_DEPS_DIR}
  RESULT_VARIABLE gw_fetch_rc
  OUTPUT_QUIET)
if(NOT gw_fetch_rc EQUAL 0)
  message(FATAL_ERROR "fetching the Debian source packages failed (see above)")
endif()

set(GW_LWIP_DIR ${GW_DEPS_DIR}/lwip-2.1.3+dfsg1)
set(GW_MBEDTLS_DIR ${GW_DEPS_DIR}/mbedtls-2.28.3)
set(GW_CJSON_DIR ${GW_DEPS_DIR}/cjson-1.7.15)
foreach(d ${GW_LWIP_DIR} ${GW_MBEDTLS_DIR} ${GW_CJSON_DIR})
  if(NOT EXISTS ${d}/.imsgw-ok)
    message(FATAL_ERROR "missing unpacked source: ${d}")
  endif()
endforeach()

# Third-party code keeps its own warnings; only our code is -Werror.
set(GW_DEP_FLAGS -w)

# lwIP: the core, IPv4, Ethernet, and the apps we use (tftp, sntp).
file(GLOB gw_lwip_core ${GW_LWIP_DIR}/src/core/*.c)
file(GLOB gw_lwip_ipv4 ${GW_LWIP_DIR}/src/core/ipv4/*.c)
add_library(lwip STATIC ${gw_lwip_core} ${gw_lwip_ipv4}
  ${GW_LWIP_DIR}/src/netif/ethernet.c
  ${GW_LWIP_DIR}/src/apps/tftp/tftp_server.c
  ${GW_LWIP_DIR}/src/apps/sntp/sntp.c)
target_include_directories(lwip SYSTEM PUBLIC
  ${GW_LWIP_DIR}/src/include
  ${CMAKE_SOURCE_DIR}/firmware/net/port/include)
target_link_libraries(lwip PUBLIC gw_profile)
target_compile_options(lwip PRIVATE ${GW_DEP_FLAGS})

# mbedTLS: just the crypto the config enables.
add_library(mbedcrypto STATIC
  ${GW_MBEDTLS_DIR}/library/md.c
  ${GW_MBEDTLS_DIR}/library/md5.c
  ${GW_MBEDTLS_DIR}/library/sha256.c
  ${GW_MBEDTLS_DIR}/library/aes.c
  ${GW_MBEDTLS_DIR}/library/ctr_drbg.c
  ${GW_MBEDTLS_DIR}/library/platform_util.c)
target_include_directories(mbedcrypto SYSTEM PUBLIC
  ${GW_MBEDTLS_DIR}/include ${CMAKE_SOURCE_DIR}/firmware/crypto)
target_compile_definitions(mbedcrypto PUBLIC MBEDTLS_CONFIG_FILE="gw_mbedtls_config.h")
target_compile_options(mbedcrypto PRIVATE ${GW_DEP_FLAGS})

add_library(cjson STATIC ${GW_CJSON_DIR}/cJSON.c)
target_include_directories(cjson SYSTEM PUBLIC ${GW_CJSON_DIR})
target_compile_options(cjson PRIVATE ${GW_DEP_FLAGS})
