#include "support/scenario_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace replisim::test {
namespace scenario_runner {

// One command of a file, with what surrounds it, so that a rewrite keeps
// the comments and blank lines as they were.
struct Block {
  std::vector<std::string> before;  // comment and blank lines above the command
  std::string command;
  std::size_t line = 0;
  std::vector<std::string> expected;
  bool terminated = false;  // a blank line ends the block (else the file does)
};

struct Scenario {
  std::vector<Block> blocks;
  std::vector<std::string> trailer;  // comment and blank lines after the last block
};

std::string trimmed(const std::string& s)
{
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos)
    return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

Scenario parse(const std::filesystem::path& file)
{
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error(file.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::string> lines = lines_of(text.str());

  Scenario s;
  std::vector<std::string> pending;
  for (std::size_t i = 0; i < lines.size();) {
    const std::string line = trimmed(lines[i]);
    if (line.empty() || line[0] == '#') {
      pending.push_back(lines[i++]);
      continue;
    }
    Block b;
    b.before = std::move(pending);
    pending.clear();
    b.command = line;
    b.line = i + 1;
    ++i;
    if (i == lines.size() || trimmed(lines[i]) != "----")
      throw std::runtime_error(file.string() + ":" + std::to_string(b.line) + ": a command must be followed by ----");
    ++i;
    while (i < lines.size() && !trimmed(lines[i]).empty())
      b.expected.push_back(lines[i++]);
    b.terminated = i < lines.size();
    if (b.terminated)
      ++i;
    s.blocks.push_back(std::move(b));
  }
  s.trailer = std::move(pending);
  return s;
}

void write(const std::filesystem::path& file, const Scenario& s)
{
  std::ostringstream out;
  for (const Block& b : s.blocks) {
    for (const std::string& line : b.before)
      out << line << '\n';
    out << b.command << "\n----\n";
    for (const std::string& line : b.expected)
      out << line << '\n';
    if (b.terminated)
      out << '\n';
  }
  for (const std::string& line : s.trailer)
    out << line << '\n';
  std::ofstream(file) << out.str();
}

std::string joined(const std::vector<std::string>& lines)
{
  std::string text;
  for (const std::string& line : lines)
    text += "  " + line + "\n";
  return text.empty() ? "  (nothing)\n" : text;
}

bool rewriting()
{
  const char* value = std::getenv("REPLISIM_REWRITE");
  return value != nullptr && std::string(value) != "" && std::string(value) != "0";
}

}  // namespace scenario_runner
// A file's helpers are named after it, so that a unity batch holds them apart.
using namespace scenario_runner;

std::string ScenarioCommand::option(const std::string& key, const std::string& fallback) const
{
  const auto it = options.find(key);
  return it == options.end() ? fallback : it->second;
}

void ScenarioCommand::expect_options(const std::vector<std::string>& known) const
{
  for (const auto& [key, value] : options)
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw std::invalid_argument(name + ": no option " + key);
}

ScenarioCommand parse_scenario_command(const std::string& text, std::size_t line)
{
  ScenarioCommand c;
  c.text = text;
  c.line = line;
  std::istringstream in(text);
  in >> c.name;
  for (std::string word; in >> word;) {
    if (const auto eq = word.find('='); eq != std::string::npos)
      c.options[word.substr(0, eq)] = word.substr(eq + 1);
    else
      c.args.push_back(word);
  }
  return c;
}

void run_scenario_file(const std::filesystem::path& file,
                       const std::function<std::string(const ScenarioCommand&)>& run)
{
  Scenario s = parse(file);
  const bool rewrite = rewriting();
  for (Block& b : s.blocks) {
    std::vector<std::string> actual;
    try {
      actual = lines_of(run(parse_scenario_command(b.command, b.line)));
    } catch (const std::exception& e) {
      ADD_FAILURE_AT(file.c_str(), static_cast<int>(b.line)) << b.command << ": " << e.what();
      return;
    }
    if (std::any_of(actual.begin(), actual.end(), [](const std::string& l) { return trimmed(l).empty(); })) {
      ADD_FAILURE_AT(file.c_str(), static_cast<int>(b.line)) << b.command << ": printed a blank line";
      return;
    }
    if (rewrite) {
      b.expected = std::move(actual);
      continue;
    }
    if (actual != b.expected) {
      ADD_FAILURE_AT(file.c_str(), static_cast<int>(b.line))
          << b.command << "\nexpected:\n" << joined(b.expected) << "actual:\n" << joined(actual)
          << "(REPLISIM_REWRITE=1 writes the actual output into the file)";
      return;  // what follows ran from another state
    }
  }
  if (rewrite)
    write(file, s);
}

std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir)
{
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".txt")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace replisim::test
