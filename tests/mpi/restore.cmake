# What restore() refuses: a checkpoint of another run (run identity), and (non-blocking mode)
# application messages still in flight. The blocking run checks that nothing is reported there.
add_executable(test_restore ${CMAKE_CURRENT_LIST_DIR}/test_restore.cpp)
target_link_libraries(test_restore PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_restore_2 COMMAND test_restore NPROCS 2 TIMEOUT 120 LABELS restore
    ENV CAIRN_MODE=nonblocking)
cairn_add_mpi_test(NAME mpi_restore_blocking_2 COMMAND test_restore NPROCS 2 TIMEOUT 120
    LABELS restore ENV CAIRN_MODE=blocking)
