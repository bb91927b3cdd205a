# Fault matrix (issue 6): process kills, storage faults and bad input, each asserting that the
# newest good checkpoint survives and the restarted job ends like an uninterrupted one.
if(TARGET heat)
    # nosan: random kill times; the same windows (compute, collective write, mpirun lost) are
    # hit deterministically by e2e_faults_point_* (CAIRN_FAULT), which the sanitized pass runs.
    foreach(scenario rank-compute rank-write mpirun)
        string(REPLACE "-" "_" id ${scenario})
        cairn_add_script_test(NAME e2e_faults_kill_${id}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults_kill.sh $<TARGET_FILE:heat> ${scenario}
            NPROCS 3 TIMEOUT 180 LABELS faults nosan)
    endforeach()
    foreach(scenario unwritable full damaged)
        cairn_add_script_test(NAME e2e_faults_storage_${scenario}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults_storage.sh $<TARGET_FILE:heat> ${scenario}
            NPROCS 2 TIMEOUT 180 LABELS faults)
    endforeach()
    cairn_add_script_test(NAME e2e_faults_input
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults_input.sh $<TARGET_FILE:heat>
        NPROCS 2 TIMEOUT 120 LABELS faults)
endif()
# Targeted kills at exact points of the commit protocol (CAIRN_FAULT), both modes.
if(TARGET heat)
    foreach(mode nonblocking blocking)
        cairn_add_script_test(NAME e2e_faults_point_${mode}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults_point.sh $<TARGET_FILE:heat> ${mode}
            NPROCS 4 TIMEOUT 240 LABELS faults)
    endforeach()
endif()
