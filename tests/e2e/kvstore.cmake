# The key-value store: delta chains, and kill -9 of an owner with and without the operation log.
if(TARGET kvstore)
    foreach(mode delta kill kill-nolog)
        cairn_add_script_test(NAME e2e_kvstore_${mode}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/kvstore.sh $<TARGET_FILE:kvstore> ${mode}
            NPROCS 3 TIMEOUT 180)
    endforeach()
endif()
