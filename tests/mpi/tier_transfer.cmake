# Chunked transfers of rank images between ranks (partner copies of the node-local tier).
add_executable(tier_transfer ${CMAKE_CURRENT_LIST_DIR}/tier_transfer.cpp)
target_link_libraries(tier_transfer PRIVATE cairn_internal cairn_mpi_catch_main cairn_warnings)
cairn_add_mpi_test(NAME mpi_tier_transfer COMMAND tier_transfer NPROCS 4 TIMEOUT 60 LABELS tier)
