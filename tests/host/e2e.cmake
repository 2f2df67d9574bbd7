# e2e.cmake — the host end to end on loopback: real HTTP and MLLP clients against suture-host,
# stand-in Odoo (JSON-RPC and JSON-2), FHIR, webhook and MLLP peers answering as the recorded
# real ones do, faults injected, kill -9 under load; and the stand-ins' own self-test.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME host_e2e COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run_e2e.py
         --host $<TARGET_FILE:suture-host> --suture $<TARGET_FILE:suture> --data ${CMAKE_SOURCE_DIR}/../shared/data)
set_tests_properties(host_e2e PROPERTIES WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} TIMEOUT 600 RUN_SERIAL TRUE)
add_test(NAME host_standins COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/standins/selftest.py
         --data ${CMAKE_SOURCE_DIR}/../shared/data)
set_tests_properties(host_standins PROPERTIES WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} TIMEOUT 300)
