# cairn inspect / --materialize on the delta chain left by mpi_incremental_2, compared with h5diff.
find_program(H5DIFF h5diff)
find_program(H5DUMP h5dump)
if(TARGET cairn_cli AND H5DIFF AND H5DUMP)
    cairn_add_script_test(NAME e2e_incremental_tool
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/incremental_tool.sh $<TARGET_FILE:cairn_cli> ${H5DIFF} ${H5DUMP}
                ${CMAKE_BINARY_DIR}/testdirs/mpi_incremental_2/inc_tool
        NPROCS 1 TIMEOUT 60 LABELS incremental)
    set_tests_properties(e2e_incremental_tool PROPERTIES FIXTURES_REQUIRED cairn_incremental_files
        FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
elseif(TARGET cairn_cli)
    message(WARNING "h5diff or h5dump not found: test e2e_incremental_tool is not added")
endif()
