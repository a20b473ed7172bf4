// The commands of the Raft scenario files (tests/protocols/raft/testdata/):
// a cluster of LeaderFollowerNodes with Raft failover (election_cluster.hpp,
// whose safety checks run after every input a node handles) driven line by
// line on the fake network. Ops are numbered 1, 2, ... in the order written;
// client 0 writes them all. Durations are as on the command line: "150ms",
// "1.5s", a bare number is milliseconds.
//
//   cluster [nodes=3] [rf=NODES] [concern=majority|1|all] [timeout=150ms-300ms]
//           [heartbeat=50ms] [seed=1] [min_insync=1] [timeout.N=LO-HI]...
//           [check_quorum=0|1] [pre_vote=0|1]
//                        builds and starts the cluster (node N's own timeout
//                        range with timeout.N); prints `status`
//   write NODE KEY...    client 0 sends one write per key to NODE (in flight,
//                        not delivered); prints nothing
//   deliver [count=N] [to=NODE] [from=NODE] [type=NAME]
//                        delivers the messages in flight that match (all, or
//                        the first N), oldest first, printing each and the
//                        role events it caused; NAME as printed (Vote, ...)
//   advance DURATION     moves the clock, firing the timers due, delivering
//                        nothing; prints the role events
//   run DURATION         delivers everything, moves the clock 1 ms, ... for
//                        DURATION; prints the role events
//   elect [limit=5s]     as run, until one more leader is elected; prints the
//                        role events
//   crash NODE           the node's host goes off (volatile state lost)
//   recover NODE         it comes back; both print the role events
//   isolate NODE         every message to or from NODE is lost, clients' too
//   partition NODE...    messages between these nodes and the others are
//                        lost; clients still reach every node
//   heal                 ends every isolate and partition
//   status               per node (and unit, with more than one): role, term,
//                        the leader it knows, its vote, commit index, last
//                        log index, and `down` if crashed
//   log [NODE...]        the whole log of each node, compacted prefix
//                        included: op3@t1 is op 3's entry, of term 1
//   replies              the write replies client 0 received since the last
//                        `replies`
//
// Role events print as `0.412s node 1 stands for term 2` (leads, lost,
// steps down). A broken safety property fails the test where it breaks.
#pragma once
#include <cstddef>
#include <memory>
#include <set>
#include <string>

#include "support/election_cluster.hpp"
#include "support/scenario_runner.hpp"

namespace replisim::test {

class ElectionScenario {
public:
  // The output of one command; throws std::invalid_argument on a command
  // it does not know or a bad argument.
  std::string run(const ScenarioCommand& command);

private:
  ElectionCluster& cluster();
  std::string start(const ScenarioCommand& command);
  std::string deliver(const ScenarioCommand& command);
  std::string status();
  std::string log(const ScenarioCommand& command);
  std::string replies();
  std::string events_since(std::size_t first) const;
  std::string describe(const Envelope& e) const;
  bool multi_unit() const;

  std::unique_ptr<ElectionCluster> cluster_;
  std::shared_ptr<std::set<NodeId>> partitioned_ = std::make_shared<std::set<NodeId>>();
  std::set<NodeId> isolated_;
  OpId next_op_ = 1;
  std::size_t replies_seen_ = 0;
  bool violation_shown_ = false;
};

}  // namespace replisim::test
