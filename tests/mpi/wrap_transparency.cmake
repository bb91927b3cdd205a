# Wrapper transparency: a plain MPI program (not linked to cairn) run plain, with libcairn
# preloaded in non-blocking mode and in blocking mode; the per-rank digests must be identical.
add_executable(wrap_transparency ${CMAKE_CURRENT_LIST_DIR}/wrap_transparency.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/wrap_sections.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/wrap_small.cpp)
target_link_libraries(wrap_transparency PRIVATE MPI::MPI_C cairn_warnings)
target_compile_definitions(wrap_transparency PRIVATE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)

set(wrap_np 4)
cairn_add_mpi_test(NAME mpi_wrap_plain COMMAND wrap_transparency NPROCS ${wrap_np} TIMEOUT 120)
cairn_add_mpi_test(NAME mpi_wrap_nonblocking
    COMMAND env LD_PRELOAD=$<TARGET_FILE:cairn_runtime> CAIRN_MODE=nonblocking
            $<TARGET_FILE:wrap_transparency>
    NPROCS ${wrap_np} TIMEOUT 120)
cairn_add_mpi_test(NAME mpi_wrap_blocking
    COMMAND env LD_PRELOAD=$<TARGET_FILE:cairn_runtime> CAIRN_MODE=blocking
            $<TARGET_FILE:wrap_transparency>
    NPROCS ${wrap_np} TIMEOUT 120)
set_tests_properties(mpi_wrap_plain mpi_wrap_nonblocking mpi_wrap_blocking
    PROPERTIES FIXTURES_SETUP wrap_digests)
add_test(NAME mpi_wrap_compare
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/wrap_transparency_compare.sh ${wrap_np}
            ${CMAKE_BINARY_DIR}/testdirs/mpi_wrap_plain
            ${CMAKE_BINARY_DIR}/testdirs/mpi_wrap_nonblocking
            ${CMAKE_BINARY_DIR}/testdirs/mpi_wrap_blocking)
set_tests_properties(mpi_wrap_compare PROPERTIES FIXTURES_REQUIRED wrap_digests LABELS mpi)
