# Erasure-coded redundancy sets of the node-local tier (docs/tiers.md): every single node lost in
# an xor set, every pair in an rs:2+2 set, three nodes lost (fallback to the shared directory), a
# damaged parity share and a damaged image; `cairn inspect --local` on the saved tier. One crashed
# run per test, then short restarts.
if(TARGET heat AND TARGET cairn_cli)
    foreach(case xor rs too_many damaged)
        cairn_add_script_test(NAME e2e_tier_parity_${case}
            COMMAND ${CMAKE_CURRENT_LIST_DIR}/tier_parity.sh $<TARGET_FILE:heat> ${case}
                    $<TARGET_FILE:cairn_cli>
            NPROCS 4 TIMEOUT 240 LABELS tier)
    endforeach()
endif()
