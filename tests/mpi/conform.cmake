# Point-to-point conformance (conform_p2p.c): programs from the MPI standard's text, run plain,
# with libcairn preloaded (both modes), and linked to cairn with a checkpoint cut at every safe
# point while requests are active (both modes). Every run's digests must equal the plain run's.
add_executable(conform_p2p ${CMAKE_CURRENT_LIST_DIR}/conform_p2p.c)
target_link_libraries(conform_p2p PRIVATE MPI::MPI_C)
set_target_properties(conform_p2p PROPERTIES C_STANDARD 11)
add_executable(conform_p2p_cairn ${CMAKE_CURRENT_LIST_DIR}/conform_p2p.c)
target_link_libraries(conform_p2p_cairn PRIVATE cairn::runtime MPI::MPI_C)
target_compile_definitions(conform_p2p_cairn PRIVATE WITH_CAIRN=1)
set_target_properties(conform_p2p_cairn PROPERTIES C_STANDARD 11)

set(conform_np 3)
cairn_add_mpi_test(NAME mpi_conform_plain COMMAND conform_p2p NPROCS ${conform_np} TIMEOUT 60)
foreach(mode nonblocking blocking)
    cairn_add_mpi_test(NAME mpi_conform_preload_${mode}
        COMMAND env LD_PRELOAD=$<TARGET_FILE:cairn_runtime> CAIRN_MODE=${mode}
                $<TARGET_FILE:conform_p2p>
        NPROCS ${conform_np} TIMEOUT 60)
    cairn_test_dir(mpi_conform_cairn_${mode} conform_dir)
    add_test(NAME mpi_conform_clean_${mode} COMMAND ${CMAKE_COMMAND} -E rm -rf ${conform_dir}/ckpt)
    set_tests_properties(mpi_conform_clean_${mode} PROPERTIES FIXTURES_SETUP conform_clean_${mode})
    cairn_add_mpi_test(NAME mpi_conform_cairn_${mode} COMMAND conform_p2p_cairn
        NPROCS ${conform_np} TIMEOUT 90
        ENV CAIRN_MODE=${mode} CAIRN_INTERVAL=steps:1 CAIRN_DIR=${conform_dir}/ckpt CAIRN_KEEP=100
            CAIRN_VERBOSE=1)
    set_tests_properties(mpi_conform_cairn_${mode}
        PROPERTIES FIXTURES_REQUIRED conform_clean_${mode})
    set_tests_properties(mpi_conform_preload_${mode} mpi_conform_cairn_${mode}
        PROPERTIES FIXTURES_SETUP conform_digests)
endforeach()
set_tests_properties(mpi_conform_plain PROPERTIES FIXTURES_SETUP conform_digests)
add_test(NAME mpi_conform_compare
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/conform_compare.sh ${conform_np}
            ${CMAKE_BINARY_DIR}/testdirs/mpi_conform_plain
            ${CMAKE_BINARY_DIR}/testdirs/mpi_conform_preload_nonblocking
            ${CMAKE_BINARY_DIR}/testdirs/mpi_conform_preload_blocking
            ${CMAKE_BINARY_DIR}/testdirs/mpi_conform_cairn_nonblocking
            ${CMAKE_BINARY_DIR}/testdirs/mpi_conform_cairn_blocking)
set_tests_properties(mpi_conform_compare PROPERTIES FIXTURES_REQUIRED conform_digests LABELS mpi)
