#include "experiments/core/fault_file.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "experiments/core/flag_value.hpp"
#include "protocols/common/rng.hpp"

namespace replisim {

namespace {

constexpr std::int64_t kMaxNodeIndex = 10'000;   // as --nodes
constexpr std::size_t kMaxEntries = 100'000;     // per kind: each is held, and scheduled, for the whole run
constexpr Time kMaxFaultTime = 365.0 * 86'400;   // a year

struct Reader {
  std::string path;
  Rng& rng;  // draws the times given as ranges, in file order

  [[noreturn]] void fail(const toml::node& at, const std::string& why) const
  {
    throw std::invalid_argument(fmt::format("{}:{}: {}", path, at.source().begin.line, why));
  }

  const toml::table& table(const toml::node& node, const std::string& what) const
  {
    const toml::table* t = node.as_table();
    if (t == nullptr)
      fail(node, fmt::format("{}: each entry is a table ([[{}]])", what, what));
    return *t;
  }

  // A time, or a range lo:hi from which the time is drawn; `bounds` gets the
  // range (lo = hi for one time), so that order checks hold for every seed.
  Time time(const toml::table& t, const std::string& what, const char* key, bool required,
            std::pair<Time, Time>* bounds = nullptr) const
  {
    const toml::node* node = t.get(key);
    if (node == nullptr) {
      if (required)
        fail(t, fmt::format("{}: needs {}", what, key));
      if (bounds != nullptr)
        *bounds = {kNever, kNever};
      return kNever;
    }
    std::string text;
    if (const auto s = node->value<std::string>())
      text = *s;
    else if (const auto n = node->value<double>())
      text = fmt::format("{}", *n);
    else
      fail(*node, fmt::format("{}.{}: a time, e.g. \"10s\"", what, key));
    const auto colon = text.find(':');
    Time lo = 0;
    Time hi = 0;
    try {
      lo = parse_duration(text.substr(0, colon), what + "." + key);
      hi = colon == std::string::npos ? lo : parse_duration(text.substr(colon + 1), what + "." + key);
    } catch (const std::invalid_argument& e) {
      fail(*node, e.what());
    }
    if (lo > kMaxFaultTime || hi > kMaxFaultTime)
      fail(*node, fmt::format("{}.{}: '{}' is more than a year of simulated time", what, key, text));
    if (bounds != nullptr)
      *bounds = {lo, hi};
    if (colon == std::string::npos)
      return lo;
    if (!(lo < hi))
      fail(*node, fmt::format("{}.{}: '{}' is a range lo:hi with lo < hi", what, key, text));
    return lo + (hi - lo) * rng.uniform();
  }

  std::string text(const toml::table& t, const std::string& what, const char* key) const
  {
    const toml::node* node = t.get(key);
    if (node == nullptr)
      fail(t, fmt::format("{}: needs {}", what, key));
    const auto s = node->value<std::string>();
    if (!s || s->empty())
      fail(*node, fmt::format("{}.{}: a name", what, key));
    return *s;
  }

  void only(const toml::table& t, const std::string& what, std::initializer_list<const char*> keys) const
  {
    for (const auto& [key, node] : t)
      if (std::find_if(keys.begin(), keys.end(), [&](const char* k) { return key.str() == k; }) == keys.end())
        fail(node, fmt::format("{}: unknown key '{}'", what, key.str()));
  }

  // The end comes after the start whatever the draws: the end's lowest
  // time after the start's highest.
  void order(const toml::table& t, const std::string& what, std::pair<Time, Time> first, std::pair<Time, Time> second,
             const char* name) const
  {
    if (second.first != kNever && second.first <= first.second)
      fail(t, fmt::format("{}: {} must come after it starts{}", what, name,
                          first.first != first.second || second.first != second.second
                              ? " (a range's lowest time after the start's highest)"
                              : ""));
  }

  FaultPlan::HostCrash crash(const toml::table& t, std::size_t i) const
  {
    const std::string what = "crash";
    only(t, what, {"host", "node", "at", "recover"});
    FaultPlan::HostCrash c;
    c.where = fmt::format("{}:{}: crash {}", path, t.source().begin.line, i);
    const toml::node* node = t.get("node");
    if (t.contains("host") == (node != nullptr))
      fail(t, "crash: give host (a name) or node (an index, or \"most-leaders\"), not both");
    if (node == nullptr)
      c.host = text(t, what, "host");
    else if (const auto index = node->value<std::int64_t>(); index && *index >= 0 && *index < kMaxNodeIndex)
      c.node = static_cast<NodeId>(*index);
    else if (index && *index >= kMaxNodeIndex)
      fail(*node, fmt::format("crash.node: no node {} (a run has at most {} nodes)", *index, kMaxNodeIndex));
    else if (const auto s = node->value<std::string>(); s && *s == "most-leaders")
      c.most_leaders = true;
    else
      fail(*node, "crash.node: an index, or \"most-leaders\"");
    std::pair<Time, Time> at, recover;
    c.at = time(t, what, "at", true, &at);
    c.recover = time(t, what, "recover", false, &recover);
    order(t, what, at, recover, "recover");
    return c;
  }

  // Which node a pause stops: as a crash names it (host, node index or
  // "most-leaders"), but only a node: a pause stops a process, not a host.
  FaultPlan::NodePause pause(const toml::table& t, std::size_t i) const
  {
    const std::string what = "pause";
    only(t, what, {"host", "node", "at", "resume"});
    FaultPlan::NodePause p;
    p.where = fmt::format("{}:{}: pause {}", path, t.source().begin.line, i);
    const toml::node* node = t.get("node");
    if (t.contains("host") == (node != nullptr))
      fail(t, "pause: give host (a name) or node (an index, or \"most-leaders\"), not both");
    if (node == nullptr)
      p.host = text(t, what, "host");
    else if (const auto index = node->value<std::int64_t>(); index && *index >= 0 && *index < kMaxNodeIndex)
      p.node = static_cast<NodeId>(*index);
    else if (index && *index >= kMaxNodeIndex)
      fail(*node, fmt::format("pause.node: no node {} (a run has at most {} nodes)", *index, kMaxNodeIndex));
    else if (const auto s = node->value<std::string>(); s && *s == "most-leaders")
      p.most_leaders = true;
    else
      fail(*node, "pause.node: an index, or \"most-leaders\"");
    std::pair<Time, Time> at, resume;
    p.at = time(t, what, "at", true, &at);
    // Required: a node paused for good would hold its inbox for ever (use a crash).
    p.resume = time(t, what, "resume", true, &resume);
    order(t, what, at, resume, "resume");
    return p;
  }

  FaultPlan::LinkDown link(const toml::table& t, std::size_t i) const
  {
    only(t, "link", {"link", "down", "up"});
    FaultPlan::LinkDown l;
    l.where = fmt::format("{}:{}: link {}", path, t.source().begin.line, i);
    l.link = text(t, "link", "link");
    std::pair<Time, Time> down, up;
    l.at = time(t, "link", "down", true, &down);
    l.up = time(t, "link", "up", false, &up);
    order(t, "link", down, up, "up");
    return l;
  }

  FaultPlan::Partition partition(const toml::table& t, std::size_t i) const
  {
    only(t, "partition", {"sides", "from", "until"});
    FaultPlan::Partition p;
    p.where = fmt::format("{}:{}: partition {}", path, t.source().begin.line, i);
    const toml::array* sides = t.get_as<toml::array>("sides");
    if (sides == nullptr || sides->size() != 2)
      fail(t, "partition.sides: two lists of zone or host names, e.g. [[\"us-east\"], [\"eu-west\"]]");
    std::vector<std::string>* out[] = {&p.side_a, &p.side_b};
    for (std::size_t s = 0; s < 2; ++s) {
      const toml::array* side = (*sides)[s].as_array();
      if (side == nullptr || side->empty())
        fail(t, "partition.sides: each side is a non-empty list of names");
      for (const toml::node& name : *side) {
        const auto n = name.value<std::string>();
        if (!n)
          fail(name, "partition.sides: names are strings");
        out[s]->push_back(*n);
      }
    }
    for (const std::string& name : p.side_a)
      if (std::find(p.side_b.begin(), p.side_b.end(), name) != p.side_b.end())
        fail(t, fmt::format("partition.sides: '{}' is on both sides", name));
    std::pair<Time, Time> from, until;
    p.from = time(t, "partition", "from", true, &from);
    p.until = time(t, "partition", "until", false, &until);
    order(t, "partition", from, until, "until");
    return p;
  }
};

}  // namespace

FaultPlan read_fault_file(const std::string& path, std::uint64_t seed)
{
  // Only a regular file: a FIFO would block the reader for ever.
  if (!std::filesystem::is_regular_file(path))
    throw std::invalid_argument(fmt::format("--faults: '{}' is not a file", path));
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
  }
  Rng rng(seed);
  const Reader r{path, rng};
  FaultPlan plan;
  for (const auto& [key, node] : root) {
    const toml::array* entries = node.as_array();
    if (entries == nullptr || (key != "crash" && key != "link" && key != "partition" && key != "pause"))
      r.fail(node, fmt::format("unknown key '{}' (a fault file holds [[crash]], [[link]], [[partition]] and [[pause]])",
                               key.str()));
    std::size_t i = 0;
    if (entries->size() > kMaxEntries)
      r.fail(node, fmt::format("{} [[{}]] entries: at most {} of each", entries->size(), key.str(), kMaxEntries));
    for (const toml::node& entry : *entries) {
      const toml::table& t = r.table(entry, std::string(key.str()));
      ++i;
      if (key == "crash")
        plan.crashes.push_back(r.crash(t, i));
      else if (key == "link")
        plan.links.push_back(r.link(t, i));
      else if (key == "pause")
        plan.pauses.push_back(r.pause(t, i));
      else
        plan.partitions.push_back(r.partition(t, i));
    }
  }
  return plan;
}

}  // namespace replisim
