# End-to-end tests of the non-blocking snapshot: the bank-transfer oracle (every checkpoint
# conserves money; an uncoordinated snapshot does not), and kill/restart of bank and heat.
if(TARGET bank AND TARGET bank_check)
    cairn_add_script_test(NAME e2e_bank_oracle
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/bank_oracle.sh $<TARGET_FILE:bank>
                $<TARGET_FILE:bank_check>
        NPROCS 4 TIMEOUT 120)
    # The same with the application at MPI_THREAD_MULTIPLE: messages counted under the lock.
    cairn_add_script_test(NAME e2e_bank_oracle_thread_multiple
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/bank_oracle.sh $<TARGET_FILE:bank>
                $<TARGET_FILE:bank_check> --thread-multiple
        NPROCS 4 TIMEOUT 120)
    cairn_add_script_test(NAME e2e_bank_kill_restart
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/nonblocking_restart.sh bank $<TARGET_FILE:bank>
                $<TARGET_FILE:bank_check>
        NPROCS 4 TIMEOUT 180)
    # Blocking mode takes the same consistent cut: the same oracle (with its negative control)
    # and the same kill/restart, with transfers in flight at every safe point.
    cairn_add_script_test(NAME e2e_bank_oracle_blocking
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/bank_oracle.sh $<TARGET_FILE:bank>
                $<TARGET_FILE:bank_check>
        NPROCS 4 TIMEOUT 120 ENV MODE=blocking)
    cairn_add_script_test(NAME e2e_bank_kill_restart_blocking
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/nonblocking_restart.sh bank $<TARGET_FILE:bank>
                $<TARGET_FILE:bank_check>
        NPROCS 4 TIMEOUT 180 ENV MODE=blocking)
endif()
if(TARGET heat)
    cairn_add_script_test(NAME e2e_heat_nonblocking_kill_restart
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/nonblocking_restart.sh heat $<TARGET_FILE:heat>
        NPROCS 4 TIMEOUT 180)
endif()
if(TARGET heat)
    cairn_add_script_test(NAME e2e_heat_kill_restart_blocking
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/nonblocking_restart.sh heat $<TARGET_FILE:heat>
        NPROCS 4 TIMEOUT 180 ENV MODE=blocking)
endif()
