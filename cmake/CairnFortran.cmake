# Fortran 2008 bindings (module `cairn`, include/cairn/cairn.f90), built only when a Fortran
# compiler is found. Sets CAIRN_HAVE_FORTRAN; defines cairn_fortran (exported as cairn::fortran):
# a static library holding the module's wrappers, its .mod file on the include path.
include(CheckLanguage)
include(GNUInstallDirs)  # before CMAKE_INSTALL_INCLUDEDIR is used below
check_language(Fortran)
set(CAIRN_HAVE_FORTRAN OFF)
if(CMAKE_Fortran_COMPILER)
    enable_language(Fortran)
    set(CAIRN_HAVE_FORTRAN ON)
    set(CAIRN_FORTRAN_MODULE_DIR ${CMAKE_BINARY_DIR}/fortran_modules)
    add_library(cairn_fortran STATIC ${PROJECT_SOURCE_DIR}/include/cairn/cairn.f90)
    add_library(cairn::fortran ALIAS cairn_fortran)
    set_target_properties(cairn_fortran PROPERTIES OUTPUT_NAME cairn_fortran EXPORT_NAME fortran
        POSITION_INDEPENDENT_CODE ON Fortran_MODULE_DIRECTORY ${CAIRN_FORTRAN_MODULE_DIR})
    target_include_directories(cairn_fortran PUBLIC
        $<BUILD_INTERFACE:${CAIRN_FORTRAN_MODULE_DIR}>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/cairn/fortran>)
    target_link_libraries(cairn_fortran PUBLIC cairn_runtime)

    include(GNUInstallDirs)
    install(TARGETS cairn_fortran EXPORT cairnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
    install(FILES ${CAIRN_FORTRAN_MODULE_DIR}/cairn.mod
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cairn/fortran)
    message(STATUS "  Fortran:      ${CMAKE_Fortran_COMPILER} (bindings: cairn::fortran)")
else()
    message(STATUS "  Fortran:      no compiler found; Fortran bindings and demo not built")
endif()
