# Install test: a consumer project (tests/install) built against the installed package.
# nosan: tests packaging (cmake --install, find_package); the sanitizer flags would have to be
# passed to the consumer build, and the code it runs is covered by the MPI tests.
cairn_add_script_test(NAME install_consumer
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/../install/install_test.sh ${CMAKE_COMMAND}
    NPROCS 2 TIMEOUT 300 LABELS install nosan)
