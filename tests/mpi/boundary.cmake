# The protocol's boundary (test_boundary.cpp): refused commits with their cause, the epoch timeout,
# and the report after abort_limit aborted snapshots in a row; each case in the mode it is about.
add_executable(test_boundary ${CMAKE_CURRENT_LIST_DIR}/test_boundary.cpp)
target_link_libraries(test_boundary PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_boundary_nonblocking COMMAND test_boundary NPROCS 2 TIMEOUT 120
    ENV CAIRN_MODE=nonblocking)
cairn_add_mpi_test(NAME mpi_boundary_blocking COMMAND test_boundary NPROCS 2 TIMEOUT 120
    ENV CAIRN_MODE=blocking)
