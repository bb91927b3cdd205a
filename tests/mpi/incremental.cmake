# Incremental (delta) checkpoints through the public API, in both runtime modes; the last case
# leaves a chain and a full reference in testdirs/mpi_incremental_2/inc_tool for the tool test.
add_executable(test_incremental ${CMAKE_CURRENT_LIST_DIR}/test_incremental.cpp)
target_link_libraries(test_incremental PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_incremental_2 COMMAND test_incremental NPROCS 2 TIMEOUT 200
    LABELS incremental ENV CAIRN_MODE=nonblocking)
cairn_add_mpi_test(NAME mpi_incremental_blocking_3 COMMAND test_incremental NPROCS 3 TIMEOUT 200
    LABELS incremental ENV CAIRN_MODE=blocking)
set_tests_properties(mpi_incremental_2 mpi_incremental_blocking_3 PROPERTIES
    FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
set_tests_properties(mpi_incremental_2 PROPERTIES FIXTURES_SETUP cairn_incremental_files)
