# End-to-end tests of the cairn tool (interval, run, inspect, submit). Paths of the programs under
# test are passed as arguments.
if(TARGET cairn_cli)
    cairn_add_script_test(NAME e2e_cairn_interval
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/cairn_interval.sh $<TARGET_FILE:cairn_cli>
        NPROCS 1 TIMEOUT 60)
    cairn_add_script_test(NAME e2e_cairn_submit
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/cairn_submit.sh $<TARGET_FILE:cairn_cli>
        NPROCS 1 TIMEOUT 60)
    if(TARGET heat)
        cairn_add_script_test(NAME e2e_cairn_run
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/cairn_run.sh $<TARGET_FILE:cairn_cli> $<TARGET_FILE:heat>
            NPROCS 4 TIMEOUT 300)
        cairn_add_script_test(NAME e2e_cairn_inspect
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/cairn_inspect.sh $<TARGET_FILE:cairn_cli> $<TARGET_FILE:heat>
            NPROCS 4 TIMEOUT 120)
    endif()
endif()
