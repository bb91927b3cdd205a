# Node-local tier (docs/tiers.md): flush policies, restart from local copies, partner copies after
# a simulated node loss, fallback to the shared directory, damaged local copy. Both runtime modes
# for the restart paths that differ by mode (local copies, partner copies); one mode for the rest
# to keep the suite short.
if(TARGET heat)
    foreach(spec every:nonblocking every:blocking end:nonblocking node_loss:nonblocking
                 node_loss:blocking partner_loss:blocking corrupt:nonblocking signal:blocking)
        string(REPLACE ":" ";" parts ${spec})
        list(GET parts 0 case)
        list(GET parts 1 mode)
        cairn_add_script_test(NAME e2e_tier_${case}_${mode}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/tier_restart.sh $<TARGET_FILE:heat> ${case} ${mode}
            NPROCS 4 TIMEOUT 180 LABELS tier)
    endforeach()
endif()
