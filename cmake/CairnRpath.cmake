# Installed programs and libraries find libcairn (and any dependency outside the system paths)
# without LD_LIBRARY_PATH: the install RPATH is relative to the binary ($ORIGIN), so the prefix
# can be chosen at install time (cmake --install --prefix P) or moved afterwards. Included before
# any target is defined, since targets copy these variables when they are created. A value the
# user gives on the command line (-DCMAKE_INSTALL_RPATH=...) is kept.
include(GNUInstallDirs)
if(NOT DEFINED CMAKE_INSTALL_RPATH)
    # bin/ -> lib/ (or lib64, lib/x86_64-linux-gnu, ...), computed from the install layout.
    file(RELATIVE_PATH CAIRN_BIN_TO_LIB ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
    set(CMAKE_INSTALL_RPATH "$ORIGIN" "$ORIGIN/${CAIRN_BIN_TO_LIB}")
endif()
# Directories of linked libraries outside the compiler's implicit ones (an MPI or HDF5 from a
# module, a Spack view) are added to the install RPATH as well.
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH ON)
