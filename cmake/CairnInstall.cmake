include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS cairn_runtime EXPORT cairnTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cairn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cairnTargets NAMESPACE cairn:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cairnConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/cairnConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cairnConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cairnConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/cairnConfigVersion.cmake
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)

# pkg-config files (cairn.pc; cairn-fortran.pc with the Fortran bindings) for Make-based builds.
# Their prefix is relative to the file (${pcfiledir}), since the prefix may be chosen only at
# install time (cmake --install --prefix).
set(CAIRN_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH CAIRN_PC_PC_TO_PREFIX /prefix/${CAIRN_PC_DIR} /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/cairn.pc.in ${CMAKE_CURRENT_BINARY_DIR}/cairn.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cairn.pc DESTINATION ${CAIRN_PC_DIR})
if(TARGET cairn_fortran)
    configure_file(${PROJECT_SOURCE_DIR}/cmake/cairn-fortran.pc.in
        ${CMAKE_CURRENT_BINARY_DIR}/cairn-fortran.pc @ONLY)
    install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cairn-fortran.pc DESTINATION ${CAIRN_PC_DIR})
endif()
