#include "support/election_scenario.hpp"

#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/common/quantities.hpp"
#include "protocols/common/write_concern.hpp"

namespace replisim::test {
namespace election_scenario {

constexpr Time kTick = 0.001;

int number(const std::string& text, const std::string& what)
{
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 0)
    throw std::invalid_argument(what + ": not a count: " + text);
  return value;
}

// "150ms-300ms" as (0.150, 0.300).
std::pair<Time, Time> range(const std::string& text)
{
  const auto dash = text.find('-');
  if (dash == std::string::npos)
    throw std::invalid_argument("not a range LO-HI: " + text);
  return {duration_seconds(text.substr(0, dash)), duration_seconds(text.substr(dash + 1))};
}

std::string seconds(Time t)
{
  char text[32];
  std::snprintf(text, sizeof text, "%.3fs", t);
  return text;
}

std::string address(Address a) { return (a.is_node() ? "node " : "client ") + std::to_string(a.index); }

std::string node_or_none(NodeId n) { return n == kNoNode ? "none" : std::to_string(n); }

struct TypeName {
  std::string operator()(const ClientWrite&) const { return "ClientWrite"; }
  std::string operator()(const ClientRead&) const { return "ClientRead"; }
  std::string operator()(const WriteReply&) const { return "WriteReply"; }
  std::string operator()(const Replicate&) const { return "Replicate"; }
  std::string operator()(const ReplicateAck&) const { return "ReplicateAck"; }
  std::string operator()(const RequestVote&) const { return "RequestVote"; }
  std::string operator()(const Vote&) const { return "Vote"; }
  std::string operator()(const PreVote&) const { return "PreVote"; }
  std::string operator()(const PreVoteReply&) const { return "PreVoteReply"; }
  std::string operator()(const Heartbeat&) const { return "Heartbeat"; }
  std::string operator()(const HeartbeatReply&) const { return "HeartbeatReply"; }
  std::string operator()(const auto&) const { return "Other"; }
};

// A message's fields, as the scenario files show them.
struct Fields {
  bool units;  // name the unit (a cluster of more than one)

  std::string unit(UnitId u) const { return units ? " unit " + std::to_string(u) : ""; }

  std::string ack(const ReplicateAck& a) const
  {
    std::string s = unit(a.unit) + " term " + std::to_string(a.term);
    if (a.success)
      return s + " match " + std::to_string(a.match_index) + " last " + std::to_string(a.last_index);
    return s + " refused prev " + std::to_string(a.rejected) + " hint " + std::to_string(a.hint) + " last " +
           std::to_string(a.last_index);
  }

  std::string operator()(const ClientWrite& m) const
  {
    return " op " + std::to_string(m.op) + " key " + std::to_string(m.key);
  }
  std::string operator()(const WriteReply& m) const
  {
    std::string s = " op " + std::to_string(m.op);
    if (m.ok)
      return s + " ok version " + std::to_string(m.version) + " acks " + std::to_string(m.acks);
    return s + " refused" + (m.leader == kNoNode ? "" : " leader " + std::to_string(m.leader));
  }
  std::string operator()(const Replicate& m) const
  {
    std::string s = unit(m.unit) + " term " + std::to_string(m.term) + " index " + std::to_string(m.index) +
                    " prev_term " + std::to_string(m.prev_term) + " commit " + std::to_string(m.commit) +
                    (m.version == 0 ? " no-op" : " op " + std::to_string(m.op));
    if (m.entry_term != 0 && m.entry_term != m.term)  // an entry of an earlier term, resent
      s += " entry_term " + std::to_string(m.entry_term);
    if (m.compacted != 0)
      s += " compacted " + std::to_string(m.compacted);
    return s;
  }
  std::string operator()(const ReplicateAck& m) const { return ack(m); }
  std::string operator()(const RequestVote& m) const
  {
    return unit(m.unit) + " term " + std::to_string(m.term) + " last " + std::to_string(m.last_index) + "@t" +
           std::to_string(m.last_term);
  }
  std::string operator()(const Vote& m) const
  {
    return unit(m.unit) + " term " + std::to_string(m.term) + (m.granted ? " granted" : " denied");
  }
  std::string operator()(const PreVote& m) const
  {
    return unit(m.unit) + " term " + std::to_string(m.term) + " last " + std::to_string(m.last_index) + "@t" +
           std::to_string(m.last_term);
  }
  std::string operator()(const PreVoteReply& m) const
  {
    return unit(m.unit) + " term " + std::to_string(m.term) + (m.granted ? " granted" : " denied");
  }
  std::string operator()(const Heartbeat& m) const
  {
    std::string s;
    for (const EmptyAppend& a : m.appends) {
      s += (s.empty() ? "" : ";") + unit(a.unit) + " term " + std::to_string(a.term) + " prev " +
           std::to_string(a.prev_index) + "@t" + std::to_string(a.prev_term) + " commit " + std::to_string(a.commit);
      if (a.compacted != 0)
        s += " compacted " + std::to_string(a.compacted);
    }
    return s;
  }
  std::string operator()(const HeartbeatReply& m) const
  {
    std::string s;
    for (const ReplicateAck& a : m.acks)
      s += (s.empty() ? "" : ";") + ack(a);
    return s;
  }
  std::string operator()(const auto&) const { return ""; }
};

std::string phrase(RoleEvent::Kind kind)
{
  switch (kind) {
    case RoleEvent::Kind::election_started: return "stands for";
    case RoleEvent::Kind::became_leader: return "leads";
    case RoleEvent::Kind::election_lost: return "loses the election of";
    case RoleEvent::Kind::stopped_leading: return "steps down from";
  }
  return "?";
}

void line(std::string& out, const std::string& text) { out += text + "\n"; }

}  // namespace election_scenario
// A file's helpers are named after it, so that a unity batch holds them apart.
using namespace election_scenario;

ElectionCluster& ElectionScenario::cluster()
{
  if (!cluster_)
    throw std::invalid_argument("no cluster yet: a scenario starts with `cluster`");
  return *cluster_;
}

bool ElectionScenario::multi_unit() const { return cluster_->placement.unit_count() > 1; }

std::string ElectionScenario::run(const ScenarioCommand& c)
{
  const std::size_t events_before = cluster_ ? cluster_->events.size() : 0;
  std::string out;
  const auto node_arg = [&](std::size_t i) {
    if (i >= c.args.size())
      throw std::invalid_argument(c.name + ": which node?");
    const int n = number(c.args[i], c.name);
    if (n >= cluster().placement.node_count())
      throw std::invalid_argument(c.name + ": no node " + c.args[i]);
    return static_cast<NodeId>(n);
  };
  const auto one_node = [&] {
    if (c.args.size() != 1)
      throw std::invalid_argument(c.name + " NODE");
    return node_arg(0);
  };
  const auto duration_arg = [&] {
    if (c.args.size() != 1)
      throw std::invalid_argument(c.name + ": how long?");
    return duration_seconds(c.args[0]);
  };
  if (c.name != "cluster" && c.name != "deliver" && c.name != "elect")
    c.expect_options({});

  if (c.name == "cluster") {
    return start(c);
  } else if (c.name == "write") {
    if (c.args.size() < 2)
      throw std::invalid_argument("write NODE KEY...");
    const NodeId to = node_arg(0);
    for (std::size_t i = 1; i < c.args.size(); ++i)
      cluster().write(next_op_++, static_cast<Key>(number(c.args[i], "write")), to);
  } else if (c.name == "deliver") {
    out = deliver(c);
  } else if (c.name == "advance") {
    cluster().net.advance_to(cluster().net.now() + duration_arg());
  } else if (c.name == "run") {
    cluster().run_for(duration_arg(), kTick);
  } else if (c.name == "elect") {
    c.expect_options({"limit"});
    const std::string limit = c.option("limit", "5s");
    const std::size_t leaders = cluster().events_of(RoleEvent::Kind::became_leader).size();
    if (!cluster().run_until(RoleEvent::Kind::became_leader, leaders + 1, duration_seconds(limit), kTick))
      out = "no leader elected within " + limit + "\n";
  } else if (c.name == "crash") {
    cluster().crash(one_node());
  } else if (c.name == "recover") {
    cluster().recover(one_node());
  } else if (c.name == "isolate") {
    const NodeId n = one_node();
    isolated_.insert(n);
    cluster().net.isolate(Address::node(n));
  } else if (c.name == "partition") {
    if (c.args.empty())
      throw std::invalid_argument("partition NODE...");
    for (std::size_t i = 0; i < c.args.size(); ++i)
      partitioned_->insert(node_arg(i));
    // Drops what is in flight across the cut now, and what is sent across it later.
    cluster().net.drop([cut = partitioned_](const Envelope& e) {
      return e.from.is_node() && e.to.is_node() && (cut->count(e.from.index) != cut->count(e.to.index));
    });
  } else if (c.name == "heal") {
    for (NodeId n : isolated_)
      if (!cluster().is_down(n))
        cluster().net.recover(Address::node(n));
    isolated_.clear();
    partitioned_->clear();
  } else if (c.name == "status") {
    out = status();
  } else if (c.name == "log") {
    for (std::size_t i = 0; i < c.args.size(); ++i)
      node_arg(i);  // each names a node
    out = log(c);
  } else if (c.name == "replies") {
    out = replies();
  } else {
    throw std::invalid_argument("unknown command " + c.name);
  }
  if (c.name != "deliver")  // deliver prints each event after the message that caused it
    out = events_since(events_before) + out;
  if (!cluster().violation().empty() && !violation_shown_) {
    violation_shown_ = true;
    line(out, "safety broken: " + cluster().violation());
  }
  return out;
}

std::string ElectionScenario::start(const ScenarioCommand& c)
{
  if (cluster_)
    throw std::invalid_argument("cluster: one per scenario");
  std::map<NodeId, std::pair<Time, Time>> timeouts;
  for (const auto& [key, value] : c.options)
    if (key.rfind("timeout.", 0) == 0)
      timeouts[number(key.substr(8), key)] = range(value);
    else if (key != "nodes" && key != "rf" && key != "concern" && key != "timeout" && key != "heartbeat" &&
             key != "seed" && key != "min_insync" && key != "check_quorum" && key != "pre_vote")
      throw std::invalid_argument("cluster: no option " + key);
  const int nodes = number(c.option("nodes", "3"), "nodes");
  const int rf = number(c.option("rf", std::to_string(nodes)), "rf");
  const std::pair<Time, Time> all = range(c.option("timeout", "150ms-300ms"));
  const Time heartbeat = duration_seconds(c.option("heartbeat", "50ms"));
  const auto seed = static_cast<std::uint64_t>(number(c.option("seed", "1"), "seed"));
  const bool check_quorum = number(c.option("check_quorum", "0"), "check_quorum") != 0;
  const bool pre_vote = number(c.option("pre_vote", "0"), "pre_vote") != 0;
  const auto config_of = [=](NodeId n) {
    const auto it = timeouts.find(n);
    const std::pair<Time, Time> lo_hi = it == timeouts.end() ? all : it->second;
    FailoverConfig config = FailoverConfig::raft(lo_hi.first, lo_hi.second, heartbeat, seed);
    config.step_down = check_quorum ? StepDown::check_quorum : StepDown::never;
    config.pre_vote = pre_vote;
    return config;
  };
  cluster_ = std::make_unique<ElectionCluster>(leader_follower_placement(nodes, rf),
                                               parse_write_concern(c.option("concern", "majority")), config_of,
                                               number(c.option("min_insync", "1"), "min_insync"));
  cluster_->start();
  return events_since(0) + status();
}

std::string ElectionScenario::deliver(const ScenarioCommand& c)
{
  c.expect_options({"count", "to", "from", "type"});
  constexpr std::size_t kBound = 100'000;  // a livelock fails the test rather than hanging it
  const bool bounded = c.options.count("count") != 0;
  const std::size_t count = bounded ? static_cast<std::size_t>(number(c.option("count", ""), "count")) : kBound;
  const std::string to = c.option("to", ""), from = c.option("from", ""), type = c.option("type", "");
  static const std::set<std::string> kTypes = {"ClientWrite", "ClientRead", "WriteReply", "Replicate", "ReplicateAck",
                                               "RequestVote", "Vote", "PreVote", "PreVoteReply", "Heartbeat",
                                               "HeartbeatReply", "Other"};
  if (!type.empty() && kTypes.count(type) == 0)
    throw std::invalid_argument("deliver: no message type " + type);
  const auto match = [&](const Envelope& e) {
    return (to.empty() || e.to == Address::node(number(to, "to"))) &&
           (from.empty() || e.from == Address::node(number(from, "from"))) &&
           (type.empty() || std::visit(TypeName{}, e.message) == type);
  };
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t events = cluster().events.size();
    if (!cluster().net.deliver_first(match))
      break;
    line(out, describe(cluster().net.delivered().back()));
    out += events_since(events);
    if (!bounded && i + 1 == kBound)
      throw std::runtime_error("deliver: still delivering after 100000 messages (livelock?)");
  }
  return out;
}

std::string ElectionScenario::status()
{
  std::string out;
  const ElectionCluster& c = cluster();
  for (NodeId n = 0; n < c.placement.node_count(); ++n)
    for (UnitId u : c.placement.units_of(n)) {
      const LeaderFollowerNode& node = c.node(n);
      std::string s = "node " + std::to_string(n) + (multi_unit() ? " unit " + std::to_string(u) : "") + ": " +
                      to_string(node.role_of(u)) + " term " + std::to_string(node.term_of(u));
      if (node.role_of(u) != ReplicaRole::leader)
        s += " leader " + node_or_none(node.leader_of(u));
      s += " voted " + node_or_none(node.voted_for(u)) + " commit " + std::to_string(node.commit_index(u)) + " last " +
           std::to_string(node.log_of(u).last_index());
      line(out, s + (c.is_down(n) ? " down" : ""));
    }
  return out;
}

std::string ElectionScenario::log(const ScenarioCommand& c)
{
  std::vector<NodeId> nodes;
  for (const std::string& arg : c.args)
    nodes.push_back(static_cast<NodeId>(number(arg, "log")));
  if (nodes.empty())
    for (NodeId n = 0; n < cluster().placement.node_count(); ++n)
      nodes.push_back(n);
  std::string out;
  for (NodeId n : nodes)
    for (UnitId u : cluster().placement.units_of(n)) {
      std::string s = "node " + std::to_string(n) + (multi_unit() ? " unit " + std::to_string(u) : "") + ":";
      for (const LogEntry& e : cluster().full_log(n, u))
        s += (e.is_noop() ? " no-op" : " op" + std::to_string(e.op)) + "@t" + std::to_string(e.term);
      line(out, cluster().full_log(n, u).empty() ? s + " empty" : s);
    }
  return out;
}

std::string ElectionScenario::replies()
{
  std::string out;
  const std::vector<WriteReply> all = cluster().replies(0);
  for (std::size_t i = replies_seen_; i < all.size(); ++i) {
    const WriteReply& r = all[i];
    if (r.ok)
      line(out, "op " + std::to_string(r.op) + ": ok version " + std::to_string(r.version) + " acks " +
                    std::to_string(r.acks));
    else
      line(out, "op " + std::to_string(r.op) + ": refused" + (r.leader == kNoNode ? "" : ", leader " + std::to_string(r.leader)));
  }
  replies_seen_ = all.size();
  return out;
}

std::string ElectionScenario::events_since(std::size_t first) const
{
  std::string out;
  for (std::size_t i = first; i < cluster_->events.size(); ++i) {
    const RoleEvent& e = cluster_->events[i];
    line(out, seconds(e.at) + " node " + std::to_string(e.node) + (multi_unit() ? " unit " + std::to_string(e.unit) : "") +
                  " " + phrase(e.kind) + " term " + std::to_string(e.term));
  }
  return out;
}

std::string ElectionScenario::describe(const Envelope& e) const
{
  return address(e.from) + " -> " + address(e.to) + ": " + std::visit(TypeName{}, e.message) +
         std::visit(Fields{multi_unit()}, e.message);
}

}  // namespace replisim::test
