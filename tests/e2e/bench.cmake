# Smoke test of the benchmark driver: scripts/bench.sh --quick (4 ranks x 4 MiB, 2 repetitions),
# results into the test directory; bench_quick.sh checks that every metric, ratio and the plot
# are there. No timing assertions.
# nosan: a benchmark driver smoke test; sanitizers measure nothing useful and slow it down.
# About 20 s alone; 121-290 s in CI runs, where it runs beside the sanitizer build (hence 600).
if(TARGET cairn_bench)
    cairn_add_script_test(NAME e2e_bench_quick
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/bench_quick.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}
        NPROCS 4 TIMEOUT 600 LABELS bench nosan)
endif()

# Smoke test of scripts/bench-wire.sh --quick (plain Open MPI against libcairn preloaded, one
# round, latency / bandwidth / bidirectional bandwidth 1 B - 4 MiB and a 4-rank message rate):
# every row present and positive. No timing assertions. About 10 s alone.
if(TARGET wire_bench)
    cairn_add_script_test(NAME e2e_bench_wire_quick
        COMMAND ${CMAKE_CURRENT_LIST_DIR}/bench_wire_quick.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}
        NPROCS 4 TIMEOUT 300 LABELS bench nosan)
endif()
