// A LeadershipHost without a node, for testing a leadership policy's
// decisions on their own: it makes the role changes a node would make (and
// tells the policy, as the node does), and records every call as a line of a
// readable trace ("take_lead 0", "become_follower 0 term 3 leader 2"), so a
// test reads as what the policy asked for, in order.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "protocols/common/unit_table.hpp"
#include "protocols/leader_follower/leadership_policy.hpp"

namespace replisim::test {

class FakeHost final : public LeadershipHost {
public:
  // The unit states of `self` as placed: each primary leads term 1.
  FakeHost(const Placement& placement, NodeId self) : placement_(placement), self_(self)
  {
    for (UnitId u : placement.units_of(self)) {
      UnitState& s = units_[u];
      s.id = u;
      s.durable.voted_for = placement.primary(u);
      set_placed_roles(s);
    }
  }

  LeadershipPolicy* policy = nullptr;  // told of role changes, as the node tells it
  Time clock = 0;
  std::vector<std::string> trace;
  std::vector<RoleEvent> events;

  Time now() const override { return clock; }
  UnitState* find_unit(UnitId u) override
  {
    auto it = units_.find(u);
    return it == units_.end() ? nullptr : &it->second;
  }
  UnitState& unit(UnitId u) override { return units_.at(u); }
  void report_role(const RoleEvent& event) override { events.push_back(event); }

  void place_roles(UnitState& s) override
  {
    note("place_roles " + std::to_string(s.id));
    set_placed_roles(s);
  }
  void take_lead(UnitState& s, Ready& out) override
  {
    note("take_lead " + std::to_string(s.id));
    s.vol.role = ReplicaRole::leader;
    s.vol.leader = self_;
    if (policy != nullptr)
      policy->on_became_leader(s, out);
    lead_afresh(s);
  }
  void start_writing(UnitState& s, Ready&) override
  {
    note("start_writing " + std::to_string(s.id));
    s.vol.lead->writable = true;
  }
  void catch_up(UnitState& s, Ready&) override
  {
    note("catch_up " + std::to_string(s.id));
    s.vol.lead->writable = false;
  }
  void become_follower(UnitState& s, Term term, NodeId leader, Ready& out) override
  {
    note("become_follower " + std::to_string(s.id) + " term " + std::to_string(term) + " leader " +
         std::to_string(leader));
    if (term > s.durable.term) {
      s.durable.term = term;
      s.durable.voted_for = kNoNode;
    }
    s.vol.role = ReplicaRole::follower;
    s.vol.leader = leader;
    s.vol.lead.reset();
    if (policy != nullptr)
      policy->on_became_follower(s, out);
  }
  void follow_append(UnitState& s, const Replicate& m, Address, Ready&) override
  {
    note("follow_append " + std::to_string(s.id) + " index " + std::to_string(m.index));
  }
  void apply_replicated(UnitState& s, const LogEntry& entry, Ready&) override
  {
    s.durable.log.push_back(entry);
    note("apply_replicated " + std::to_string(s.id) + " index " + std::to_string(last_index(s.durable.log)));
  }
  void compact(UnitState& s, LogIndex through) override
  {
    if (through > 0)
      note("compact " + std::to_string(s.id) + " through " + std::to_string(through));
  }
  void send_heartbeats(const std::vector<UnitId>& units, Ready&) override
  {
    std::string line = "send_heartbeats";
    for (UnitId u : units)
      line += " " + std::to_string(u);
    note(line);
  }
  void acknowledge_committed(UnitState& s, Ready&) override { note("acknowledge_committed " + std::to_string(s.id)); }

  // The trace since the last call.
  std::vector<std::string> take_trace() { return std::exchange(trace, {}); }

private:
  void note(std::string line) { trace.push_back(std::move(line)); }
  void set_placed_roles(UnitState& s)
  {
    const NodeId primary = placement_.primary(s.id);
    s.vol.role = primary == self_ ? ReplicaRole::leader : ReplicaRole::follower;
    s.vol.leader = primary;
    if (primary == self_)
      lead_afresh(s);
  }
  void lead_afresh(UnitState& s)
  {
    const LogIndex last = last_index(s.durable.log);
    s.vol.lead.get() = Leading{};
    s.vol.lead->quorum_checked = clock;
    s.vol.lead->replicas.assign(placement_.replicas(s.id).size(), Progress::of_follower(last, clock));
    s.vol.lead->replicas[static_cast<std::size_t>(placement_.position(s.id, self_))] = Progress::of_leader(last, clock);
  }

  const Placement& placement_;
  NodeId self_;
  UnitTable<UnitState> units_;
};

// The messages of `out` of type M, in order.
template <typename M>
std::vector<M> sent(const Ready& out)
{
  std::vector<M> found;
  for (const Envelope& e : out.messages)
    if (const M* m = std::get_if<M>(&e.message))
      found.push_back(*m);
  return found;
}

}  // namespace replisim::test
