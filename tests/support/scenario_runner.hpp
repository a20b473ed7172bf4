// Data-driven tests, after etcd's `datadriven` package: a scenario is a text
// file of commands, each followed by a line `----` and the output it must
// print, up to the next blank line:
//
//   # comments and blank lines between commands are kept as they are
//   crash 0
//   ----
//
//   elect
//   ----
//   0.675s node 1 stands for term 2
//   0.676s node 1 leads term 2
//
// run_scenario_file() runs each command through a function that returns its
// output and fails the test at the first command whose output differs from
// the expected block (naming the file and line, both outputs shown). With the
// environment variable REPLISIM_REWRITE=1 it writes the actual outputs into
// the file instead (datadriven's -rewrite); review the diff before committing.
// An output has no blank line (a blank line ends a block); an empty output is
// `----` followed by the blank line.
#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace replisim::test {

// One command line: its name, its positional arguments and its key=value options.
struct ScenarioCommand {
  std::string text;  // the line as written
  std::string name;
  std::vector<std::string> args;
  std::map<std::string, std::string> options;
  std::size_t line = 0;  // in the file, from 1

  // The option `key`, or `fallback` if the command does not give it.
  std::string option(const std::string& key, const std::string& fallback) const;
  // Throws std::invalid_argument if the command gives an option not in `known`.
  void expect_options(const std::vector<std::string>& known) const;
};

// Splits a command line into its name, arguments and options.
ScenarioCommand parse_scenario_command(const std::string& text, std::size_t line);

// Runs the scenario in `file`: each command's output from `run` against its
// expected block. A command that throws fails the test with the exception's
// message. See the file comment for REPLISIM_REWRITE.
void run_scenario_file(const std::filesystem::path& file,
                       const std::function<std::string(const ScenarioCommand&)>& run);

// The scenario files (*.txt) in `dir`, by name.
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir);

}  // namespace replisim::test
