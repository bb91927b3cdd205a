# Runtime tests through the public API (Catch2 with an MPI main).
add_executable(test_runtime ${CMAKE_CURRENT_LIST_DIR}/test_runtime.cpp)
target_link_libraries(test_runtime PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_runtime_4 COMMAND test_runtime NPROCS 4 TIMEOUT 300
    ENV CAIRN_MODE=nonblocking)
cairn_add_mpi_test(NAME mpi_runtime_2 COMMAND test_runtime NPROCS 2 TIMEOUT 300
    ENV CAIRN_MODE=nonblocking)
cairn_add_mpi_test(NAME mpi_runtime_blocking_4 COMMAND test_runtime NPROCS 4 TIMEOUT 300
    ENV CAIRN_MODE=blocking)
