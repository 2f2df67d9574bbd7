# The durable store (runtime/host/store): durability across reopen, idempotency, group commit,
# claim order and per-key order, crash recovery, retries, dead letters and replay.
add_executable(suture_host_store_tests store_test.cpp)
suture_defaults(suture_host_store_tests)
find_package(SQLite3 REQUIRED)
target_link_libraries(suture_host_store_tests PRIVATE suture_host_store SQLite::SQLite3 GTest::gtest_main)
gtest_discover_tests(suture_host_store_tests WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
