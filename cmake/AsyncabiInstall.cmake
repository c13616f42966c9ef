# Installing libasyncabi so that a C project can use it: the headers, the shared and the
# static library, a CMake package (find_package(asyncabi) -> asyncabi::asyncabi, the shared
# library, and asyncabi::asyncabi_static) and a pkg-config file (asyncabi.pc). Both are
# relocatable: they find the prefix from their own location, so `cmake --install build
# --prefix DIR` works for any DIR. The test install_consumer installs into a temporary prefix
# and builds a small C program against it both ways.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS asyncabi_shared asyncabi_static
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT asyncabi
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT asyncabi)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/asyncabi
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT asyncabi
  FILES_MATCHING PATTERN "*.h")

set(ASYNCABI_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/asyncabi)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/asyncabiConfig.cmake.in
  ${PROJECT_BINARY_DIR}/asyncabiConfig.cmake
  INSTALL_DESTINATION ${ASYNCABI_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/asyncabiConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/asyncabiConfig.cmake
              ${PROJECT_BINARY_DIR}/asyncabiConfigVersion.cmake
  DESTINATION ${ASYNCABI_CMAKE_DIR} COMPONENT asyncabi)

# pkg-config: the prefix is found relative to the .pc file (${pcfiledir}).
file(RELATIVE_PATH ASYNCABI_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${CMAKE_CURRENT_LIST_DIR}/asyncabi.pc.in ${PROJECT_BINARY_DIR}/asyncabi.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/asyncabi.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT asyncabi)

if(BUILD_TESTING OR NOT DEFINED BUILD_TESTING)
  find_program(ASYNCABI_PKG_CONFIG pkg-config)
  add_test(NAME install_consumer
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/consumer/test.sh ${PROJECT_BINARY_DIR}
            ${CMAKE_C_COMPILER} ${CMAKE_COMMAND} ${ASYNCABI_PKG_CONFIG})
  set_tests_properties(install_consumer PROPERTIES LABELS "packaging" TIMEOUT 180)
endif()
