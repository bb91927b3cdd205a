# What restore() refuses: a checkpoint of another run (run identity).
add_executable(test_restore ${CMAKE_CURRENT_LIST_DIR}/test_restore.cpp)
target_link_libraries(test_restore PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_restore_2 COMMAND test_restore NPROCS 2 TIMEOUT 120 LABELS restore)
