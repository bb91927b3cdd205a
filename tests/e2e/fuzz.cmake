# Fuzz smoke test: builds the libFuzzer targets (tests/fuzz) with clang in a separate build tree
# and runs each for a few seconds after replaying the saved findings. Needs clang++ with
# libFuzzer (Debian: clang, libclang-rt-14-dev).
find_program(CAIRN_CLANGXX NAMES clang++ clang++-14)
if(CAIRN_CLANGXX)
    cairn_add_script_test(NAME fuzz_smoke
        COMMAND ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh 6
        NPROCS 2 TIMEOUT 240 LABELS fuzz
        ENV FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz)
endif()
