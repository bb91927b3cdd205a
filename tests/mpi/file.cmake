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
