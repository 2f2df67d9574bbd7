# Delivery (runtime/host/delivery): backoff, circuit breaker, token bucket, and the dispatcher
# over a real store with fake connectors.
add_executable(suture_host_delivery_tests delivery_test.cpp)
suture_defaults(suture_host_delivery_tests)
target_link_libraries(suture_host_delivery_tests PRIVATE suture_host_delivery GTest::gtest_main)
gtest_discover_tests(suture_host_delivery_tests WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
