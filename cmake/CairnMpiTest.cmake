# cairn_add_mpi_test(NAME <name> COMMAND <exe> [args...] NPROCS <n> [TIMEOUT <s>] [LABELS ...]
#                    [ENV VAR=value ...])
# The one way MPI tests are launched: mpiexec -n <n>, in a test directory of its own, with the
# environment that makes oversubscribed runs as root work and not busy-poll.
set(CAIRN_TEST_ENV
    OMPI_ALLOW_RUN_AS_ROOT=1
    OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    OMPI_MCA_rmaps_base_oversubscribe=1
    OMPI_MCA_mpi_yield_when_idle=1
    OMPI_MCA_btl_vader_single_copy_mechanism=none
    HDF5_USE_FILE_LOCKING=FALSE)

# Sanitizer builds run several times slower: scripts/test-sanitize.sh multiplies every test's
# timeout by this factor.
set(CAIRN_TEST_TIMEOUT_FACTOR 1 CACHE STRING "Multiplier for test timeouts (slow builds)")

# cairn_scaled_timeout(<seconds> <out>): the timeout times CAIRN_TEST_TIMEOUT_FACTOR.
function(cairn_scaled_timeout seconds out)
    math(EXPR t "${seconds} * ${CAIRN_TEST_TIMEOUT_FACTOR}")
    set(${out} ${t} PARENT_SCOPE)
endfunction()

function(cairn_test_dir name out)
    set(dir ${CMAKE_BINARY_DIR}/testdirs/${name})
    file(MAKE_DIRECTORY ${dir})
    set(${out} ${dir} PARENT_SCOPE)
endfunction()

function(cairn_add_mpi_test)
    cmake_parse_arguments(T "" "NAME;NPROCS;TIMEOUT" "COMMAND;LABELS;ENV" ${ARGN})
    if(NOT T_NPROCS)
        set(T_NPROCS 2)
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    cairn_scaled_timeout(${T_TIMEOUT} T_TIMEOUT)
    cairn_test_dir(${T_NAME} dir)
    list(POP_FRONT T_COMMAND exe)
    if(TARGET ${exe})
        set(exe $<TARGET_FILE:${exe}>)
    endif()
    add_test(NAME ${T_NAME}
        COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${T_NPROCS} ${CAIRN_MPIEXEC_PREFLAGS}
                ${MPIEXEC_PREFLAGS} ${exe} ${MPIEXEC_POSTFLAGS} ${T_COMMAND}
        WORKING_DIRECTORY ${dir})
    set_tests_properties(${T_NAME} PROPERTIES PROCESSORS ${T_NPROCS} TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "${CAIRN_TEST_ENV};${T_ENV}" LABELS "mpi;${T_LABELS}")
endfunction()

# cairn_add_script_test(NAME <name> COMMAND <script> [args...] [NPROCS n] [TIMEOUT s] [LABELS ...]
#                       [ENV VAR=value ...])
# Whole-job tests (run, kill, restart) driven by a script in a directory of their own.
function(cairn_add_script_test)
    cmake_parse_arguments(T "" "NAME;NPROCS;TIMEOUT" "COMMAND;LABELS;ENV" ${ARGN})
    if(NOT T_NPROCS)
        set(T_NPROCS 1)
    endif()
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 600)
    endif()
    cairn_scaled_timeout(${T_TIMEOUT} T_TIMEOUT)
    cairn_test_dir(${T_NAME} dir)
    add_test(NAME ${T_NAME} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${dir})
    set_tests_properties(${T_NAME} PROPERTIES PROCESSORS ${T_NPROCS} TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "${CAIRN_TEST_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE};TEST_BUILD_DIR=${CMAKE_BINARY_DIR};TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};${T_ENV}"
        LABELS "e2e;${T_LABELS}")
endfunction()
