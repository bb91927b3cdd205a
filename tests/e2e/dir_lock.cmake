# Two jobs on one checkpoint directory.
if(TARGET heat)
    cairn_add_script_test(NAME e2e_dir_lock
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/dir_lock.sh $<TARGET_FILE:heat> NPROCS 4 TIMEOUT 180)
endif()
