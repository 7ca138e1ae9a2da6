# Compile options for the project's own targets.
set(GW_WARNINGS -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers)

# gw_module(name SOURCES ... DEPS ...): a firmware module library with its
# public headers under include/gw/<name>/.
function(gw_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  if(M_SOURCES)
    add_library(gw_${name} STATIC ${M_SOURCES})
    target_include_directories(gw_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(gw_${name} PUBLIC ${M_DEPS})
    gw_target_options(gw_${name})
  else()
    add_library(gw_${name} INTERFACE)
    target_include_directories(gw_${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(gw_${name} INTERFACE ${M_DEPS})
  endif()
endfunction()

function(gw_target_options tgt)
  target_compile_options(${tgt} PRIVATE ${GW_WARNINGS}
    $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti>)
endfunction()
