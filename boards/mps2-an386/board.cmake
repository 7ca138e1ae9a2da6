# mps2-an386 (Cortex-M4F under QEMU): included by the top-level CMakeLists.txt
# before firmware/, so these settings reach every target of the image.
# CPU flags (-mcpu=cortex-m4 -mfloat-abi=hard ...) come from
# cmake/arm-none-eabi.cmake.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
  message(FATAL_ERROR "BOARD=mps2-an386 needs the ARM toolchain: cmake --preset mps2-an386")
endif()

set(GW_PROFILE small CACHE STRING "capacity profile under boards/profiles")
set(GW_BOARD_NAME mps2-an386)

# One thread: no guards around function-local statics.
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fno-threadsafe-statics>)
