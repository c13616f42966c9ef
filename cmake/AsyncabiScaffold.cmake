# The project's Rust tools (the top-level Cargo workspace) and the UDL-to-C helper.
#
#   asyncabi-scaffold   scaffold/: UDL file -> <ns>_scaffolding.h, <ns>_checksums.c, interface.json
#   uniffi-bindgen      bindgen/:  UniFFI's own bindings generator at the pinned release
#
# Both are built once, by one cargo run, into ASYNCABI_CARGO_TARGET_DIR: $CARGO_TARGET_DIR when
# set (a cache shared between build trees), else <build>/cargo, and copied into <build>/bin, so
# that another tree sharing the cache cannot swap the binaries this tree runs. Cargo.lock is used
# as is (--locked); set ASYNCABI_CARGO_OFFLINE=ON to build from the local registry cache only.

find_program(ASYNCABI_CARGO cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin" REQUIRED)
option(ASYNCABI_CARGO_OFFLINE "Build the Rust tools with cargo --offline" OFF)
if(DEFINED ENV{CARGO_TARGET_DIR} AND NOT "$ENV{CARGO_TARGET_DIR}" STREQUAL "")
  set(ASYNCABI_CARGO_TARGET_DIR "$ENV{CARGO_TARGET_DIR}")
else()
  set(ASYNCABI_CARGO_TARGET_DIR "${PROJECT_BINARY_DIR}/cargo")
endif()
set(_aa_cargo_out "${ASYNCABI_CARGO_TARGET_DIR}/tools")
set(ASYNCABI_SCAFFOLD_EXE "${PROJECT_BINARY_DIR}/bin/asyncabi-scaffold" CACHE INTERNAL "")
set(ASYNCABI_UNIFFI_BINDGEN_EXE "${PROJECT_BINARY_DIR}/bin/uniffi-bindgen" CACHE INTERNAL "")

set(_aa_cargo_flags --profile tools --locked)
if(ASYNCABI_CARGO_OFFLINE)
  list(APPEND _aa_cargo_flags --offline)
endif()
file(GLOB _aa_rust_sources CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/scaffold/src/*.rs" "${PROJECT_SOURCE_DIR}/bindgen/src/*.rs")
# Cargo decides what to rebuild; the stamp only tells CMake when to ask it.
add_custom_command(
  OUTPUT "${PROJECT_BINARY_DIR}/cargo-tools.stamp"
  BYPRODUCTS "${ASYNCABI_SCAFFOLD_EXE}" "${ASYNCABI_UNIFFI_BINDGEN_EXE}"
  COMMAND ${CMAKE_COMMAND} -E env "CARGO_TARGET_DIR=${ASYNCABI_CARGO_TARGET_DIR}"
          ${ASYNCABI_CARGO} build ${_aa_cargo_flags} --quiet
          -p asyncabi-scaffold -p asyncabi-uniffi-bindgen
  COMMAND ${CMAKE_COMMAND} -E make_directory "${PROJECT_BINARY_DIR}/bin"
  COMMAND ${CMAKE_COMMAND} -E copy "${_aa_cargo_out}/asyncabi-scaffold"
          "${_aa_cargo_out}/uniffi-bindgen" "${PROJECT_BINARY_DIR}/bin/"
  COMMAND ${CMAKE_COMMAND} -E touch "${PROJECT_BINARY_DIR}/cargo-tools.stamp"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  DEPENDS "${PROJECT_SOURCE_DIR}/Cargo.toml" "${PROJECT_SOURCE_DIR}/Cargo.lock"
          "${PROJECT_SOURCE_DIR}/scaffold/Cargo.toml" "${PROJECT_SOURCE_DIR}/bindgen/Cargo.toml"
          ${_aa_rust_sources}
  COMMENT "Building asyncabi-scaffold and uniffi-bindgen (cargo, UniFFI 0.32.2)"
  USES_TERMINAL
  VERBATIM)
add_custom_target(asyncabi_rust_tools ALL DEPENDS "${PROJECT_BINARY_DIR}/cargo-tools.stamp")

# asyncabi_udl_namespace(UDL OUT): the namespace a UDL file declares (`namespace <ns> {`).
function(asyncabi_udl_namespace udl out)
  file(READ "${udl}" text)
  string(REGEX REPLACE "//[^\n]*" "" text "${text}")
  if(NOT text MATCHES "namespace[ \t\r\n]+([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*{")
    message(FATAL_ERROR "${udl}: no `namespace <name> { ... };` found")
  endif()
  set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

# asyncabi_scaffold(TARGETS t... UDL file LIBRARY name [OUTPUT_DIR dir] [LIBRARY_PATH path])
# Generates, into OUTPUT_DIR (default: the current build folder), <ns>_scaffolding.h,
# <ns>_checksums.c, interface.json and bindgen-crate/ (what uniffi-bindgen needs to generate
# bindings from the UDL file alone: docs/bindings-for-c.md) from the UDL file, compiles the checksums into every
# target and puts the header on their include path: a C definition that drifts from the UDL
# no longer compiles. LIBRARY (the CMake target name of the library) and LIBRARY_PATH (its file,
# relative to the build directory) go into interface.json. Sets ASYNCABI_SCAFFOLD_DIR.
function(asyncabi_scaffold)
  cmake_parse_arguments(A "" "UDL;LIBRARY;OUTPUT_DIR;LIBRARY_PATH" "TARGETS" ${ARGN})
  get_filename_component(udl "${A_UDL}" ABSOLUTE)
  if(NOT A_OUTPUT_DIR)
    set(A_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${udl}")
  asyncabi_udl_namespace("${udl}" ns)
  get_filename_component(udl_dir "${udl}" DIRECTORY)
  set(deps "${udl}" "${PROJECT_BINARY_DIR}/cargo-tools.stamp")
  if(EXISTS "${udl_dir}/uniffi.toml")
    list(APPEND deps "${udl_dir}/uniffi.toml")
  endif()
  set(extra)
  if(A_LIBRARY_PATH)
    list(APPEND extra --library-path "${A_LIBRARY_PATH}")
  endif()
  set(out "${A_OUTPUT_DIR}")
  add_custom_command(
    OUTPUT "${out}/${ns}_scaffolding.h" "${out}/${ns}_checksums.c" "${out}/interface.json"
           "${out}/bindgen-crate/src/${ns}.udl"
    COMMAND "${ASYNCABI_SCAFFOLD_EXE}" "${udl}" --out-dir "${out}" --library "${A_LIBRARY}" ${extra}
            --bindgen-crate "${out}/bindgen-crate"
    DEPENDS ${deps}
    COMMENT "asyncabi-scaffold ${A_UDL}"
    VERBATIM)
  # One custom target owns the outputs, so that several targets (sanitizer variants) never
  # run the generator twice at once.
  add_custom_target(asyncabi_scaffold_${ns} DEPENDS
    "${out}/${ns}_scaffolding.h" "${out}/${ns}_checksums.c" "${out}/interface.json")
  set_property(GLOBAL APPEND PROPERTY ASYNCABI_SCAFFOLD_DIRS "${out}")
  set_property(GLOBAL APPEND PROPERTY ASYNCABI_UDL_FILES "${udl}")
  foreach(t ${A_TARGETS})
    if(TARGET ${t})
      add_dependencies(${t} asyncabi_scaffold_${ns})
      target_sources(${t} PRIVATE "${out}/${ns}_checksums.c")
      target_include_directories(${t} PRIVATE "${out}")
    endif()
  endforeach()
  set(ASYNCABI_SCAFFOLD_DIR "${out}" PARENT_SCOPE)
endfunction()
