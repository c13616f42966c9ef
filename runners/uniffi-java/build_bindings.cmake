# cmake -P build_bindings.cmake: one fixture's Java bindings, generated and compiled.
#   -DGENERATOR=<uniffi-bindgen-java> -DCRATE=<bindgen crate> -DFIXTURE=<name> -DOUT=<dir>
#   -DJAVAC=<JDK 22+ javac>
# Writes OUT/FIXTURE/src (the generated sources, used as generated), OUT/FIXTURE/classes and
# OUT/FIXTURE/bindings.json (the package, the namespace's class, the component name the
# generated loader reads its library override for). Any error: one line, non-zero exit.
foreach(var GENERATOR CRATE FIXTURE OUT JAVAC)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_bindings.cmake: -D${var}=... is required")
  endif()
endforeach()
file(GLOB udls "${CRATE}/src/*.udl")
list(LENGTH udls n)
if(NOT n EQUAL 1 OR NOT EXISTS "${CRATE}/uniffi-bindgen.toml")
  message(FATAL_ERROR "build_bindings.cmake: ${CRATE} is not a bindgen crate (one src/*.udl and uniffi-bindgen.toml)")
endif()
set(dir "${OUT}/${FIXTURE}")
file(REMOVE_RECURSE "${dir}")
execute_process(
  COMMAND "${GENERATOR}" "${udls}" --config "${CRATE}/uniffi-bindgen.toml" --out-dir "${dir}/src"
  WORKING_DIRECTORY "${CRATE}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  string(STRIP "${err}" err)
  message(FATAL_ERROR "uniffi-bindgen-java failed for ${FIXTURE}: ${err}")
endif()
file(GLOB_RECURSE sources "${dir}/src/*.java")
if(NOT sources)
  message(FATAL_ERROR "uniffi-bindgen-java wrote no Java sources for ${FIXTURE}")
endif()
# The loader: the generated code reads System.getProperty("uniffi.component.<ns>.libraryOverride").
file(GLOB_RECURSE loaders "${dir}/src/*/NamespaceLibrary.java")
file(READ "${loaders}" loader)
if(NOT loader MATCHES "package ([A-Za-z0-9_.]+);" )
  message(FATAL_ERROR "${loaders}: no package line")
endif()
set(package "${CMAKE_MATCH_1}")
if(NOT loader MATCHES "findLibraryName\\(\"([A-Za-z0-9_]+)\"\\)")
  message(FATAL_ERROR "${loaders}: the generated loader names no component")
endif()
set(component "${CMAKE_MATCH_1}")
string(REPLACE ";" "\n" argfile "${sources}")
file(WRITE "${dir}/sources.txt" "${argfile}\n")
execute_process(
  COMMAND "${JAVAC}" -nowarn -encoding UTF-8 -d "${dir}/classes" "@${dir}/sources.txt"
  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE err)
if(NOT rc EQUAL 0)
  string(REGEX MATCH "[^\n]*error:[^\n]*" first "${err}")
  message(FATAL_ERROR "javac failed on the generated ${FIXTURE} bindings: ${first}")
endif()
file(WRITE "${dir}/bindings.json" "{\"fixture\": \"${FIXTURE}\", \"package\": \"${package}\", \"component\": \"${component}\", \"classes\": \"${dir}/classes\", \"generator\": \"uniffi-bindgen-java 0.5.2\"}\n")
