# The key-value store: delta chains, kill -9 of an owner with and without the operation log, and
# the cleanup of chain files after a crash, in cairn's blocking and non-blocking modes.
if(TARGET kvstore)
    foreach(cmode blocking nonblocking)
        foreach(test delta kill kill-nolog cleanup)
            cairn_add_script_test(NAME e2e_kvstore_${test}_${cmode}
                COMMAND ${CMAKE_CURRENT_LIST_DIR}/kvstore.sh $<TARGET_FILE:kvstore> ${test} ${cmode}
                NPROCS 3 TIMEOUT 180)
        endforeach()
    endforeach()
endif()
