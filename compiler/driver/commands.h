// commands.h — the `suture` subcommands that live in their own files (main.cpp dispatches).
#pragma once

#include <string>
#include <vector>

namespace suture::driver {

inline constexpr const char* kVersion = "0.1.0";

int run_build(const std::vector<std::string>& args);      // cmd_build.cpp
int run_run(const std::vector<std::string>& args);        // cmd_run.cpp
int run_inspect(const std::vector<std::string>& args);    // cmd_run.cpp
int run_authorize(const std::vector<std::string>& args);  // cmd_authorize.cpp
int run_test(const std::vector<std::string>& args);       // cmd_test.cpp
int usage_error(const std::string& message);              // main.cpp

}  // namespace suture::driver
