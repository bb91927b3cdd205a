# Resizable buffers and callback objects through the public API.
add_executable(test_structured ${CMAKE_CURRENT_LIST_DIR}/test_structured.cpp)
target_link_libraries(test_structured PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_structured_2 COMMAND test_structured NPROCS 2 TIMEOUT 200
    ENV CAIRN_MODE=nonblocking)
cairn_add_mpi_test(NAME mpi_structured_blocking_3 COMMAND test_structured NPROCS 3 TIMEOUT 200
    ENV CAIRN_MODE=blocking)

add_executable(test_c_structured ${CMAKE_CURRENT_LIST_DIR}/test_c_structured.c)
target_link_libraries(test_c_structured PRIVATE cairn::runtime)
set_target_properties(test_c_structured PROPERTIES C_STANDARD 11)
cairn_add_mpi_test(NAME mpi_c_structured COMMAND test_c_structured NPROCS 2 TIMEOUT 120)
