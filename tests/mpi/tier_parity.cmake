# Redundancy sets of the node-local tier between ranks with a 4 KiB chunk (encoding pipeline over
# several chunks, every loss of an xor:4 and an rs:2+2 set, damaged parity files).
add_executable(tier_parity_mpi ${CMAKE_CURRENT_LIST_DIR}/tier_parity.cpp)
target_link_libraries(tier_parity_mpi PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_tier_parity COMMAND tier_parity_mpi NPROCS 4 TIMEOUT 60 LABELS tier)
