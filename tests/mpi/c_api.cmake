# The C API used from C.
add_executable(test_c_api ${CMAKE_CURRENT_LIST_DIR}/test_c_api.c)
target_link_libraries(test_c_api PRIVATE cairn::runtime)
set_target_properties(test_c_api PROPERTIES C_STANDARD 11)
cairn_add_mpi_test(NAME mpi_c_api COMMAND test_c_api NPROCS 2 TIMEOUT 120)
