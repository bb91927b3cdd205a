# Tests of the checkpoint file layer (runtime/h5): round trip, readability by h5dump and h5py,
# corruption and mismatch classification, serial inspect/verify.
find_program(H5DUMP h5dump)
set(CAIRN_FILE_TEST_PYTHON /usr/bin/python3)

add_executable(file_roundtrip ${CMAKE_CURRENT_LIST_DIR}/file_roundtrip.cpp)
target_link_libraries(file_roundtrip PRIVATE cairn_internal cairn_warnings)
foreach(n 2 4)
    cairn_add_mpi_test(NAME file_roundtrip_${n} COMMAND file_roundtrip NPROCS ${n} LABELS file)
    set_tests_properties(file_roundtrip_${n} PROPERTIES FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
endforeach()

add_executable(file_tools ${CMAKE_CURRENT_LIST_DIR}/file_tools.cpp)
target_link_libraries(file_tools PRIVATE cairn_internal cairn_warnings)
if(H5DUMP)
    cairn_add_mpi_test(NAME file_tools COMMAND file_tools ${H5DUMP} ${CAIRN_FILE_TEST_PYTHON}
                       ${CMAKE_CURRENT_LIST_DIR}/file_check_h5py.py NPROCS 4 LABELS file)
    set_tests_properties(file_tools PROPERTIES FAIL_REGULAR_EXPRESSION "HDF5-DIAG;FAILED")
else()
    message(WARNING "h5dump not found: test file_tools is not added")
endif()

add_executable(file_corrupt ${CMAKE_CURRENT_LIST_DIR}/file_corrupt.cpp)
target_link_libraries(file_corrupt PRIVATE cairn_internal cairn_warnings)
cairn_add_mpi_test(NAME file_corrupt COMMAND file_corrupt NPROCS 4 LABELS file)
set_tests_properties(file_corrupt PROPERTIES FAIL_REGULAR_EXPRESSION "HDF5-DIAG"
    FIXTURES_SETUP cairn_file_corrupt)

# Serial: no mpiexec, no MPI_Init (as the cairn tool runs), on the files file_corrupt left behind.
add_executable(file_verify_serial ${CMAKE_CURRENT_LIST_DIR}/file_verify_serial.cpp)
target_link_libraries(file_verify_serial PRIVATE cairn_internal cairn_warnings)
cairn_test_dir(file_verify_serial verify_dir)
add_test(NAME file_verify_serial
    COMMAND file_verify_serial ${CMAKE_BINARY_DIR}/testdirs/file_corrupt
    WORKING_DIRECTORY ${verify_dir})
set_tests_properties(file_verify_serial PROPERTIES FIXTURES_REQUIRED cairn_file_corrupt
    FAIL_REGULAR_EXPRESSION "HDF5-DIAG" ENVIRONMENT "${CAIRN_TEST_ENV}" LABELS "file")

# Elastic restart: written by 4 ranks, read by 2 and 3 (sub-communicators) and by 4 with other
# blocks.
add_executable(file_elastic ${CMAKE_CURRENT_LIST_DIR}/file_elastic.cpp)
target_link_libraries(file_elastic PRIVATE cairn_internal cairn_warnings)
cairn_add_mpi_test(NAME file_elastic COMMAND file_elastic NPROCS 4 LABELS file)
set_tests_properties(file_elastic PROPERTIES FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
