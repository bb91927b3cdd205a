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

# Smoke test of the kvstore benchmark driver (quick mode: one repetition, tiny sizes); it fails if
# a run fails, a restart replays another number of log records than were written after the
# checkpoint, or a configuration yields no result. No timing assertions.
# nosan: a benchmark driver (like e2e_bench_quick); the kvstore code it runs is covered under the
# sanitizers by the other e2e_kvstore_* tests.
if(TARGET kvstore)
    cairn_add_script_test(NAME e2e_kvstore_bench_quick
        COMMAND ${PROJECT_SOURCE_DIR}/scripts/bench-kvstore.sh --quick --build ${CMAKE_BINARY_DIR}
                --out bench-out --scratch bench-scratch
        NPROCS 4 TIMEOUT 120 LABELS nosan)
endif()
