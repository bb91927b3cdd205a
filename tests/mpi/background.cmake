# Commit without the application (test_background.cpp): in the shared tier and in the node-local
# tier (two simulated nodes, partner copies, flushed to the shared directory only at the end).
add_executable(test_background ${CMAKE_CURRENT_LIST_DIR}/test_background.cpp)
target_link_libraries(test_background PRIVATE cairn::runtime cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_background_shared COMMAND test_background NPROCS 2 TIMEOUT 90
    ENV CAIRN_MODE=nonblocking)
cairn_test_dir(mpi_background_local background_dir)
cairn_add_mpi_test(NAME mpi_background_local COMMAND test_background NPROCS 2 TIMEOUT 90
    ENV CAIRN_MODE=nonblocking CAIRN_LOCAL_DIR=${background_dir}/local CAIRN_NODE_SPLIT=ranks:1
        CAIRN_PARTNER=1 CAIRN_FLUSH=end)
