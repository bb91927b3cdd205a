# Smoke test of the benchmark driver: scripts/bench.sh --quick (4 ranks x 4 MiB, 2 repetitions),
# results into the test directory. No timing assertions.
# nosan: a benchmark driver smoke test; sanitizers measure nothing useful and slow it down.
# About 20 s alone; 121-290 s in CI runs, where it runs beside the sanitizer build (hence 600).
if(TARGET cairn_bench)
    cairn_add_script_test(NAME e2e_bench_quick
        COMMAND ${PROJECT_SOURCE_DIR}/scripts/bench.sh --quick --build ${CMAKE_BINARY_DIR}
                --out bench-out
        NPROCS 4 TIMEOUT 600 LABELS bench nosan)
endif()
