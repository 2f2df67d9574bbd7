# The outbound connectors (runtime/host/connectors): the Odoo error table over the captured
# envelopes, and round trips on loopback against in-test Odoo, FHIR, webhook and MLLP peers.
add_executable(suture_host_connectors_tests connectors_test.cpp)
suture_defaults(suture_host_connectors_tests)
target_link_libraries(suture_host_connectors_tests PRIVATE suture_host_connectors OpenSSL::SSL OpenSSL::Crypto GTest::gtest_main)
target_compile_definitions(suture_host_connectors_tests PRIVATE SUTURE_SHARED_DATA="${CMAKE_SOURCE_DIR}/../shared/data")
gtest_discover_tests(suture_host_connectors_tests WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
