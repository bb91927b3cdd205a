# Fuzz smoke test: builds the libFuzzer targets (tests/fuzz) with clang in a separate build tree
# and runs each for a fixed number of inputs with a fixed seed (repeatable) after replaying the
# saved findings; the HDF5-file target replays its seed corpus only. Needs clang++ with
# libFuzzer (Debian: clang, libclang-rt-14-dev).
# nosan: the fuzz targets are already built with ASan+UBSan (clang, their own tree).
find_program(CAIRN_CLANGXX NAMES clang++ clang++-14)
if(CAIRN_CLANGXX)
    cairn_add_script_test(NAME fuzz_smoke
        COMMAND ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh 6
        NPROCS 2 TIMEOUT 240 LABELS fuzz nosan
        ENV FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz FUZZ_RUNS=3000 FUZZ_SEED=1
            FUZZ_REPLAY_ONLY=fuzz_checkpoint_file)
endif()
