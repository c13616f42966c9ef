# Test registration shared by every folder.
#
# One build, one ctest run: each C test is compiled once per variant and registered as
#   name            plain build
#   name[asan]      AddressSanitizer + UndefinedBehaviorSanitizer
#   name[tsan]      ThreadSanitizer
#   name[valgrind]  the plain binary under valgrind memcheck (leaks are errors)
# Libraries that tests link get the same variants (NAME, NAME_asan, NAME_tsan), so a TSan
# test never mixes instrumented and uninstrumented code.

set(ASYNCABI_ALL_VARIANTS plain asan tsan)
if(NOT ASYNCABI_SANITIZE STREQUAL "")
  # The whole tree is already sanitized: per-target variants would clash with it.
  set(ASYNCABI_ALL_VARIANTS plain)
endif()
find_program(ASYNCABI_VALGRIND valgrind)

set(_aa_flags_asan -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
set(_aa_flags_tsan -fsanitize=thread)
set(ASYNCABI_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1")

# asyncabi_variant_suffix(VARIANT OUT): "" for plain, "_asan" / "_tsan" otherwise.
function(asyncabi_variant_suffix variant out)
  if(variant STREQUAL "plain")
    set(${out} "" PARENT_SCOPE)
  else()
    set(${out} "_${variant}" PARENT_SCOPE)
  endif()
endfunction()

# _asyncabi_apply_variant(TARGET VARIANT): add the sanitizer flags of VARIANT to TARGET.
function(_asyncabi_apply_variant target variant)
  if(variant STREQUAL "plain")
    return()
  endif()
  target_compile_options(${target} PRIVATE ${_aa_flags_${variant}})
  target_link_options(${target} PUBLIC ${_aa_flags_${variant}})
endfunction()

# _asyncabi_variant_libs(OUT VARIANT LIBS...): map each library that has variants to its
# variant; leave others (system libraries, imported targets) unchanged.
function(_asyncabi_variant_libs out variant)
  asyncabi_variant_suffix(${variant} sfx)
  set(result)
  foreach(lib ${ARGN})
    if(TARGET ${lib}${sfx})
      list(APPEND result ${lib}${sfx})
    else()
      list(APPEND result ${lib})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# asyncabi_add_library(NAME STATIC|SHARED|MODULE SOURCES ... [LIBRARIES ...] [INCLUDES ...]
#                      [DEFINITIONS ...] [VARIANTS plain asan tsan])
# Defines NAME plus one library per extra variant (NAME_asan, NAME_tsan).
function(asyncabi_add_library name kind)
  cmake_parse_arguments(A "" "" "SOURCES;LIBRARIES;INCLUDES;DEFINITIONS;VARIANTS" ${ARGN})
  if(NOT A_VARIANTS)
    set(A_VARIANTS ${ASYNCABI_ALL_VARIANTS})
  endif()
  foreach(variant ${A_VARIANTS})
    if(NOT variant IN_LIST ASYNCABI_ALL_VARIANTS)
      continue()
    endif()
    asyncabi_variant_suffix(${variant} sfx)
    set(t ${name}${sfx})
    add_library(${t} ${kind} ${A_SOURCES})
    target_include_directories(${t} PUBLIC ${A_INCLUDES})
    target_compile_definitions(${t} PRIVATE ${A_DEFINITIONS})
    _asyncabi_variant_libs(libs ${variant} ${A_LIBRARIES})
    target_link_libraries(${t} PUBLIC ${libs})
    _asyncabi_apply_variant(${t} ${variant})
  endforeach()
endfunction()

# asyncabi_add_c_test(NAME SOURCES ... [LIBRARIES ...] [VARIANTS plain asan tsan valgrind]
#                     [ARGS ...] [ENV ...] [LABELS ...] [TIMEOUT seconds])
function(asyncabi_add_c_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBRARIES;VARIANTS;ARGS;ENV;LABELS" ${ARGN})
  if(NOT A_VARIANTS)
    set(A_VARIANTS plain asan tsan valgrind)
  endif()
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 120)
  endif()
  foreach(variant ${A_VARIANTS})
    if(variant STREQUAL "valgrind")
      if(NOT ASYNCABI_VALGRIND OR NOT ASYNCABI_SANITIZE STREQUAL "")
        continue()
      endif()
      add_test(NAME "${name}[valgrind]"
               COMMAND ${ASYNCABI_VALGRIND} --quiet --error-exitcode=99 --leak-check=full
                       --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
                       --track-origins=yes $<TARGET_FILE:${name}> ${A_ARGS})
      set_tests_properties("${name}[valgrind]" PROPERTIES
        LABELS "valgrind;${A_LABELS}" TIMEOUT ${A_TIMEOUT}
        # memcheck runs code 20-50x slower: the monitor's grace periods stretch with it.
        ENVIRONMENT "ASYNCABI_SLOWDOWN=20;${A_ENV}")
      continue()
    endif()
    if(NOT variant IN_LIST ASYNCABI_ALL_VARIANTS)
      continue()
    endif()
    asyncabi_variant_suffix(${variant} sfx)
    set(t ${name}${sfx})
    add_executable(${t} ${A_SOURCES})
    _asyncabi_variant_libs(libs ${variant} ${A_LIBRARIES})
    target_link_libraries(${t} PRIVATE ${libs} Threads::Threads)
    _asyncabi_apply_variant(${t} ${variant})
    if(variant STREQUAL "plain")
      set(test_name "${name}")
    else()
      set(test_name "${name}[${variant}]")
    endif()
    add_test(NAME "${test_name}" COMMAND ${t} ${A_ARGS})
    set_tests_properties("${test_name}" PROPERTIES
      LABELS "${variant};${A_LABELS}" TIMEOUT ${A_TIMEOUT}
      ENVIRONMENT "${ASYNCABI_SANITIZER_ENV};${A_ENV}")
  endforeach()
endfunction()

# asyncabi_add_pytest(NAME PATH path [ARGS ...] [ENV ...] [LABELS ...] [TIMEOUT seconds])
# Runs pytest on PATH with this build's locations in the environment.
function(asyncabi_add_pytest name)
  cmake_parse_arguments(A "" "PATH;TIMEOUT" "ARGS;ENV;LABELS" ${ARGN})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 600)
  endif()
  add_test(NAME "${name}"
           COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${A_PATH} ${A_ARGS}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties("${name}" PROPERTIES
    LABELS "pytest;${A_LABELS}" TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "ASYNCABI_BUILD_DIR=${PROJECT_BINARY_DIR};ASYNCABI_SOURCE_DIR=${PROJECT_SOURCE_DIR};${A_ENV}")
endfunction()

# asyncabi_backend_matrix_tests(BACKEND LANES lane... [LABELS ...] [ENV ...])
# The matrix ctests of a generated-bindings backend, conformance_<backend, - as _>_<lane>: every
# scenario, no mutants, held to runners/<BACKEND>/findings.json by its tests/test_matrix.py
# (conformance/asyncabi_conformance/backend_matrix.py: a new failure, or a finding that went
# away, fails it). Lanes: c (the C producer, seed 1); asan / tsan (the C producer's sanitized
# fixtures, seeds 2 / 3, so that CI covers more than one seed per backend; the sanitizer is
# first proven live in the backend's runtime, and any sanitizer report fails the test;
# conformance/backends.json says which sanitizer options each runtime needs and why); rust
# (UniFFI's own scaffolding, producers/rust: registered whenever that producer is part of the
# tree, since producers/ is configured after runners/; unbuilt, the run fails, never skips).
function(asyncabi_backend_matrix_tests backend)
  cmake_parse_arguments(A "" "" "LANES;LABELS;ENV" ${ARGN})
  string(REPLACE "-" "_" id "${backend}")
  foreach(lane ${A_LANES})
    set(env "ASYNCABI_TIME_SCALE=0.3" ${A_ENV})
    set(labels conformance ${A_LABELS})
    if(lane STREQUAL "rust")
      if(NOT EXISTS "${PROJECT_SOURCE_DIR}/producers/rust/CMakeLists.txt")
        continue()
      endif()
      list(APPEND env "ASYNCABI_UNIFFI_PRODUCER=rust")
      list(APPEND labels rust)
    else()
      set(sfx "")
      if(lane STREQUAL "asan")
        set(sfx _asan)
        list(APPEND env "ASYNCABI_FIXTURE_VARIANT=asan" "ASYNCABI_UNIFFI_SEED=2")
        list(APPEND labels asan)
      elseif(lane STREQUAL "tsan")
        set(sfx _tsan)
        list(APPEND env "ASYNCABI_FIXTURE_VARIANT=tsan" "ASYNCABI_UNIFFI_SEED=3")
        list(APPEND labels tsan)
      elseif(NOT lane STREQUAL "c")
        message(FATAL_ERROR "asyncabi_backend_matrix_tests(${backend}): unknown lane '${lane}' "
                            "(c, asan, tsan, rust)")
      endif()
      if(NOT (TARGET asyncabi_fixture_futures${sfx} AND TARGET asyncabi_fixture_adversarial${sfx}))
        continue()
      endif()
      list(APPEND env "ASYNCABI_UNIFFI_PRODUCER=c")
    endif()
    asyncabi_add_pytest(conformance_${id}_${lane} PATH runners/${backend}/tests/test_matrix.py
      ENV ${env} LABELS "${labels}" TIMEOUT 300)
    set_tests_properties(conformance_${id}_${lane} PROPERTIES PROCESSORS 2)
  endforeach()
endfunction()
