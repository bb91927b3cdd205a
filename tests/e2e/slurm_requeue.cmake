# The Slurm requeue test: a real local cluster (scripts/slurm-local.sh). Skipped (exit 77) where
# Slurm is not installed.
# nosan: starts Slurm daemons; only one such cluster may run on the machine (normal suite).
if(TARGET cairn_cli AND TARGET heat)
    cairn_add_script_test(NAME e2e_slurm_requeue
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/slurm_requeue.sh $<TARGET_FILE:cairn_cli> $<TARGET_FILE:heat>
                ${PROJECT_SOURCE_DIR}/scripts/slurm-local.sh
        NPROCS 2 TIMEOUT 330 LABELS slurm nosan)
    # The same on two simulated Slurm nodes (4 ranks, cairn submit -N 2 --simulated-nodes); its
    # own cluster directory and ports, so it may run beside the one-node test.
    cairn_add_script_test(NAME e2e_slurm_requeue_2nodes
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/slurm_requeue.sh $<TARGET_FILE:cairn_cli> $<TARGET_FILE:heat>
                ${PROJECT_SOURCE_DIR}/scripts/slurm-local.sh 2
        NPROCS 2 TIMEOUT 330 LABELS slurm nosan)
    set_tests_properties(e2e_slurm_requeue e2e_slurm_requeue_2nodes PROPERTIES SKIP_RETURN_CODE 77)
endif()
