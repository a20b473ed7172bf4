#include "experiments/core/models/log_audit.hpp"

#include <stdexcept>
#include <unordered_set>

#include <fmt/format.h>

#include "protocols/raft/election.hpp"

namespace replisim {

LogAudit::LogAudit(const Placement& placement, const std::vector<const LeaderFollowerNode*>& nodes,
                   const Membership& membership, bool committed_acks, Invariants* invariants)
    : placement_(placement), nodes_(nodes), membership_(membership), committed_acks_(committed_acks),
      invariants_(invariants), acked_(static_cast<std::size_t>(placement.unit_count())),
      committed_(static_cast<std::size_t>(placement.unit_count()))
{
}

void LogAudit::acknowledged(const Completion& op)
{
  acked_.at(static_cast<std::size_t>(op.unit)).push_back(op.op);
}

void LogAudit::note_commits(UnitId unit)
{
  Committed& c = committed_.at(static_cast<std::size_t>(unit));
  for (NodeId n : placement_.replicas(unit)) {
    const LeaderFollowerNode* node = nodes_.at(static_cast<std::size_t>(n));
    if (node == nullptr || !membership_.alive[n])
      continue;
    const LogIndex commit = node->commit_index(unit);
    if (commit > c.index)
      c = {commit, term_at(node->log_of(unit), commit), n};
  }
}

namespace {

// The audit finds writes by op id in whole logs: the models keep logs whole
// (uncompacted) while they audit them (LeaderBasedModel::make_node).
const Log& whole_log(const LeaderFollowerNode& node, UnitId unit)
{
  const Log& log = node.log_of(unit);
  if (log.compacted() != 0)
    throw std::logic_error(fmt::format("log audit: node {} compacted its log of unit {}", node.id(), unit));
  return log;
}

}  // namespace

std::string LogAudit::missing(UnitId unit, const LeaderFollowerNode& node, bool committed_only) const
{
  const Log& log = whole_log(node, unit);
  const Committed& c = committed_.at(static_cast<std::size_t>(unit));
  if (c.index > 0 && term_at(log, c.index) != c.term)
    return fmt::format("entry {} of term {}, committed (held by node {}), is not in the log of node {}", c.index,
                       c.term, c.seen_at, node.id());
  if (committed_only && !committed_acks_)
    return "";
  std::unordered_set<OpId> held;
  for (const LogEntry& e : log)
    held.insert(e.op);
  for (OpId op : acked_.at(static_cast<std::size_t>(unit)))
    if (!held.contains(op))
      return fmt::format("write {}, acknowledged to its client, is not in the log of node {}", op, node.id());
  return "";
}

void LogAudit::became_leader(const RoleEvent& e)
{
  if (invariants_ == nullptr || !invariants_->checked())
    return;
  note_commits(e.unit);
  const LeaderFollowerNode* leader = nodes_.at(static_cast<std::size_t>(e.node));
  if (const std::string what = missing(e.unit, *leader, true); !what.empty())
    invariants_->violated(e.at, fmt::format("unit {}, term {}: node {} became leader but {}", e.unit, e.term, e.node,
                                            what));
}

const LeaderFollowerNode* LogAudit::authority(UnitId unit) const
{
  const LeaderFollowerNode* best = nullptr;
  bool best_alive = false;
  bool best_leads = false;
  for (NodeId n : placement_.replicas(unit)) {
    const LeaderFollowerNode* node = nodes_.at(static_cast<std::size_t>(n));
    if (node == nullptr)
      return nullptr;
    const bool alive = membership_.alive[n];
    const bool leads = alive && node->role_of(unit) == ReplicaRole::leader;
    const Log& log = node->log_of(unit);
    const auto better = [&] {
      if (alive != best_alive)
        return alive;
      if (leads != best_leads)
        return leads;
      if (leads)
        return node->term_of(unit) > best->term_of(unit);
      const Log& other = best->log_of(unit);
      return !candidate_up_to_date(last_term(other), last_index(other), last_term(log), last_index(log));
    };
    if (best == nullptr || better()) {
      best = node;
      best_alive = alive;
      best_leads = leads;
    }
  }
  return best;
}

void LogAudit::finish(Time end)
{
  std::unordered_set<OpId> truncated;
  for (const LeaderFollowerNode* node : nodes_)
    if (node != nullptr)
      truncated.insert(node->truncated_ops().begin(), node->truncated_ops().end());
  rolled_back_ = 0;
  for (const auto& unit_acked : acked_)
    for (OpId op : unit_acked)
      rolled_back_ += truncated.contains(op) ? 1 : 0;
  lost_ = 0;
  lost_writes_.clear();
  for (UnitId unit = 0; unit < placement_.unit_count(); ++unit) {
    const LeaderFollowerNode* node = authority(unit);
    if (node == nullptr)
      return;
    std::unordered_set<OpId> held;
    for (const LogEntry& e : whole_log(*node, unit))
      held.insert(e.op);
    std::uint64_t lost_here = 0;
    OpId first = 0;
    for (OpId op : acked_.at(static_cast<std::size_t>(unit)))
      if (!held.contains(op)) {
        lost_writes_.insert(op);
        if (lost_here++ == 0)
          first = op;
      }
    lost_ += lost_here;
    if (lost_here > 0 && committed_acks_ && invariants_ != nullptr && invariants_->checked())
      invariants_->violated(end, fmt::format("unit {}: {} acknowledged write(s) lost (write {} first), not in the log "
                                             "of node {}, which holds the unit's final state",
                                             unit, lost_here, first, node->id()));
  }
}

}  // namespace replisim
