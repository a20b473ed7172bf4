#include "actors/deployment_file.hpp"

#include <charconv>
#include <filesystem>
#include <set>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <fmt/format.h>
#include <simgrid/s4u/Engine.hpp>

#include "actors/engine_setup.hpp"

namespace replisim {

namespace pt = boost::property_tree;

namespace {

constexpr std::size_t kMaxDeployedActors = 10'000;  // --nodes and --clients' limit

[[noreturn]] void fail(const std::string& path, const std::string& why)
{
  throw PlatformError(fmt::format("deployment file '{}': {}", path, why));
}

int parse_threads(const std::string& text, const std::string& path, const std::string& actor)
{
  int threads = 0;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, threads);
  if (text.empty() || ec != std::errc() || rest != end || threads < 1 || threads > 4096)
    fail(path, fmt::format("{}: threads '{}' is not a whole number in [1, 4096]", actor, text));
  return threads;
}

// The actor's settings: its <prop>s and NAME=VALUE <argument>s, in order.
std::vector<std::pair<std::string, std::string>> settings_of(const pt::ptree& actor, const std::string& path,
                                                             const std::string& who)
{
  std::vector<std::pair<std::string, std::string>> settings;
  for (const auto& [tag, child] : actor) {
    if (tag == "<xmlattr>" || tag == "<xmlcomment>")
      continue;
    if (tag == "prop") {
      const auto id = child.get_optional<std::string>("<xmlattr>.id");
      const auto value = child.get_optional<std::string>("<xmlattr>.value");
      if (!id || !value)
        fail(path, fmt::format("{}: a <prop> needs id and value", who));
      settings.emplace_back(*id, *value);
    } else if (tag == "argument") {
      const std::string value = child.get<std::string>("<xmlattr>.value", "");
      const auto equals = value.find('=');
      if (equals == std::string::npos || equals == 0)
        fail(path, fmt::format("{}: argument '{}' is not NAME=VALUE", who, value));
      settings.emplace_back(value.substr(0, equals), value.substr(equals + 1));
    } else {
      fail(path, fmt::format("{}: unexpected <{}> (an actor holds <prop> and <argument>)", who, tag));
    }
  }
  return settings;
}

}  // namespace

DeploymentFile read_deployment_file(const std::string& path)
{
  // A directory makes the XML reader throw an iostream failure, and a FIFO
  // blocks it for ever: only a regular file is read.
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (status_error || !std::filesystem::exists(status))
    fail(path, "no such file");
  if (!std::filesystem::is_regular_file(status))
    fail(path, std::filesystem::is_directory(status) ? "is a directory" : "is not a regular file");
  pt::ptree tree;
  try {
    pt::read_xml(path, tree, pt::xml_parser::no_comments);
  } catch (const pt::xml_parser_error& e) {
    if (e.line() == 0)
      fail(path, "cannot read it");
    throw PlatformError(fmt::format("deployment file '{}:{}': {}", path, e.line(), e.message()));
  }
  const auto platform = tree.get_child_optional("platform");
  if (!platform)
    fail(path, "no <platform> element");
  const std::string version = platform->get<std::string>("<xmlattr>.version", "");
  double v = 0;
  const auto [rest, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
  if (version.empty() || ec != std::errc() || v < 4)
    fail(path, fmt::format("version '{}' is not supported (SimGrid 3.32 reads 4.1)", version));

  DeploymentFile file;
  file.path = path;
  std::set<std::string> node_hosts;
  int index = 0;
  for (const auto& [tag, actor] : *platform) {
    if (tag == "<xmlattr>" || tag == "<xmlcomment>")
      continue;
    if (tag != "actor")
      fail(path, fmt::format("unexpected <{}> (a deployment file holds <actor>s)", tag));
    ++index;
    const std::string host = actor.get<std::string>("<xmlattr>.host", "");
    const std::string function = actor.get<std::string>("<xmlattr>.function", "");
    const std::string who = fmt::format("actor {} ({} on '{}')", index, function, host);
    if (host.empty() || function.empty())
      fail(path, fmt::format("{}: an <actor> needs host and function", who));
    const bool node = function == kNodeFunction;
    if (!node && function != kClientFunction)
      fail(path, fmt::format("{}: function '{}' is not replisim's ({} or {})", who, function, kNodeFunction,
                             kClientFunction));
    if (node && !node_hosts.insert(host).second)
      fail(path, fmt::format("{}: host '{}' already runs a node", who, host));
    // SimGrid's own attributes of an actor: replisim's nodes and clients run
    // from the start to the end of the run, so they are refused, not ignored.
    for (const char* attribute : {"start_time", "kill_time", "on_failure"})
      if (actor.get_optional<std::string>(std::string("<xmlattr>.") + attribute))
        fail(path, fmt::format("{}: attribute {} is not supported: replisim's actors run for the whole run (use a "
                               "fault file, --faults, to stop a node and bring it back)",
                               who, attribute));
    DeployedActor a{host, "", 0, who};
    for (const auto& [name, value] : settings_of(actor, path, who)) {
      if (name == "zone" && value.empty())
        fail(path, fmt::format("{}: zone is empty (leave the prop out for the host's enclosing zone)", who));
      else if (name == "zone")
        a.zone = value;
      else if (name == "threads" && node)
        a.threads = parse_threads(value, path, who);
      else if (!node)
        fail(path, fmt::format("{}: a client takes only a zone, not '{}'", who, name));
      else if (const auto [it, fresh] = file.settings.emplace(name, value); !fresh && it->second != value)
        fail(path, fmt::format("{}: {}='{}', but {} says '{}'", who, name, value, file.set_by[name], it->second));
      else
        file.set_by.emplace(name, who);
    }
    (node ? file.nodes : file.clients).push_back(std::move(a));
  }
  if (file.nodes.empty())
    fail(path, fmt::format("no actor runs {}", kNodeFunction));
  // As --nodes and --clients: each is a SimGrid actor with its own stack.
  if (file.nodes.size() > kMaxDeployedActors || file.clients.size() > kMaxDeployedActors)
    fail(path, fmt::format("{} nodes and {} clients: at most {} of each", file.nodes.size(), file.clients.size(),
                           kMaxDeployedActors));
  return file;
}

void check_hosts(const DeploymentFile& file, const simgrid::s4u::Engine& engine)
{
  for (const auto* actors : {&file.nodes, &file.clients})
    for (const DeployedActor& a : *actors)
      if (engine.host_by_name_or_null(a.host) == nullptr)
        fail(file.path, fmt::format("{}: host '{}' is not in the platform", a.describe, a.host));
}

}  // namespace replisim
