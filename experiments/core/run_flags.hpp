// Flags shared by subcommands, declared once.
#pragma once
#include <CLI/CLI.hpp>

#include "experiments/core/run_config.hpp"

namespace replisim {

// Refuses a negative value, which CLI11 would wrap round in an unsigned flag.
const CLI::Validator& unsigned_number();

void add_platform_flags(CLI::App& app, RunConfig& config);
void add_run_flags(CLI::App& app, RunConfig& config);

}  // namespace replisim
