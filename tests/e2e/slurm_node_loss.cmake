# Node-loss tests on a real local Slurm with simulated nodes (scripts/slurm-local.sh start DIR N):
# partner (n2 lost, restart from partner copies), shared (n2 and its partner n3 lost, fallback
# to the shared directory) and parity (two of four nodes lost in one failure, rs:2+2: the lost
# ranks rebuilt from parity). Each starts its own cluster on its own ports. Skipped (exit 77) where
# Slurm is not installed or the tests do not run as root. The script's third mode, plain (no
# local tier), is not registered to keep CI short: run it by hand.
if(TARGET cairn_cli AND TARGET heat)
    foreach(mode partner shared parity)
        cairn_add_script_test(NAME e2e_slurm_node_loss_${mode}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/slurm_node_loss.sh $<TARGET_FILE:cairn_cli>
                    $<TARGET_FILE:heat> ${PROJECT_SOURCE_DIR}/scripts/slurm-local.sh ${mode}
            NPROCS 2 TIMEOUT 600 LABELS slurm nosan)
        set_tests_properties(e2e_slurm_node_loss_${mode} PROPERTIES SKIP_RETURN_CODE 77)
    endforeach()
endif()
