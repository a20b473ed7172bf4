// Flags shared by subcommands, declared once.
#pragma once
#include <CLI/CLI.hpp>

#include "experiments/run_config.hpp"

namespace replisim {

void add_platform_flags(CLI::App& app, RunConfig& config);
void add_run_flags(CLI::App& app, RunConfig& config);

}  // namespace replisim
