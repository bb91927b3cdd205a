# End-to-end tests of the heat demo: kill one rank, restart, compare with an uninterrupted run;
# and the same field (checksum) whatever the number of ranks.
if(TARGET heat)
    cairn_add_script_test(NAME e2e_heat_kill_restart
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/heat_restart.sh $<TARGET_FILE:heat>
        NPROCS 4 TIMEOUT 600)
    cairn_add_script_test(NAME e2e_heat_decomposition
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/heat_decomposition.sh $<TARGET_FILE:heat>
        NPROCS 4 TIMEOUT 300)
endif()
if(TARGET heat)
    cairn_add_script_test(NAME e2e_heat_elastic
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/heat_elastic.sh $<TARGET_FILE:heat>
        NPROCS 4 TIMEOUT 300)
endif()
