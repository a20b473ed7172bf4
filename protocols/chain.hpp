// Chain replication (van Renesse and Schneider, OSDI 2004) with the option of
// CRAQ reads (Terrace and Freedman, USENIX ATC 2009). A unit's replicas, in
// placement order, form its chain: the head takes every write of the unit
// (the write role, the leader) and the tail holds the committed copy that
// reads trust (the storage role, the primary). An update goes head → … →
// tail, each node applying it in the unit's sequence; the tail commits it,
// answers the client and sends an acknowledgement back up the chain, so every
// node learns which of its versions are committed (clean) and which are not
// yet (dirty).
#pragma once
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocols/placement.hpp"
#include "protocols/state_machine.hpp"

namespace replisim {

// Where reads are served. `tail`: at the tail only (§2: "queries are directed
// to the tail"). `craq`: at any replica; one holding a dirty version asks the
// tail which version is committed (CRAQ §2.3).
enum class ChainReads : std::uint8_t { tail, craq };
ChainReads parse_chain_reads(const std::string& text);
std::string to_string(ChainReads reads);

struct ChainConfig {
  ChainReads reads = ChainReads::tail;
};

// One update of a unit, as every node of its chain applies it.
struct ChainEntry {
  Key key = 0;
  Version version = 0;
};

class ChainNode final : public NodeMachine {
public:
  ChainNode(NodeId self, const Placement& placement, ChainConfig config);

  Ready step(const Envelope& in, Time now) override;

  const NodeCounters& counters() const override { return counters_; }
  // The newest version of `key` this node applied, clean or dirty; 0 if none
  // (or the node holds no replica of the key).
  Version version_of(Key key) const;
  // The newest version of `key` this node knows to be committed; 0 if none.
  Version committed_version_of(Key key) const;
  NodeId head_of(UnitId unit) const;
  NodeId tail_of(UnitId unit) const;
  // The following throw std::out_of_range when this node is not in the unit's chain.
  LogIndex applied_seq(UnitId unit) const;    // updates applied, in sequence
  LogIndex committed_seq(UnitId unit) const;  // updates known to have reached the tail
  const std::vector<ChainEntry>& log_of(UnitId unit) const;
  std::size_t pending_reads() const;  // CRAQ reads waiting for the tail's answer

private:
  // Per key, the newest version applied and the newest known committed. CRAQ
  // keeps every version until it is clean; only their numbers matter here.
  struct KeyVersions {
    Version latest = 0;
    Version clean = 0;
  };
  struct PendingRead {
    Address client;
    OpId op = 0;
  };
  // Survives a crash: the updates applied, the committed point, the versions.
  struct Durable {
    std::vector<ChainEntry> log;  // entry i has sequence number i + 1
    LogIndex committed = 0;
    std::unordered_map<Key, KeyVersions> keys;
  };
  // Lost on a crash.
  struct Volatile {
    std::map<LogIndex, ChainForward> early;                 // updates that arrived ahead of a gap
    std::unordered_map<OpId, PendingRead> pending_reads;    // CRAQ: by request, awaiting the tail
  };
  struct UnitState {
    NodeId predecessor = kNoNode;  // kNoNode at the head
    NodeId successor = kNoNode;    // kNoNode at the tail
    int chain_length = 0;
    Durable durable;
    Volatile vol;
  };

  // One handler per message type (called through std::visit).
  void on(const ClientWrite& m, Address from, Ready& out);
  void on(const ClientRead& m, Address from, Ready& out);
  void on(const ChainForward& m, Address from, Ready& out);
  void on(const ChainAck& m, Address from, Ready& out);
  void on(const CommittedVersionQuery& m, Address from, Ready& out);
  void on(const CommittedVersionReply& m, Address from, Ready& out);
  void on(const auto&, Address, Ready&) {}  // replies and other models' messages

  UnitState* unit_state(UnitId unit);
  const UnitState* unit_state(UnitId unit) const;
  const UnitState& unit_state_or_throw(UnitId unit) const;
  const KeyVersions* key_versions(Key key) const;
  void apply(UnitState& state, const ChainEntry& entry, Ready& out);
  void pass_down(UnitState& state, const ChainForward& update, Ready& out);
  void commit_through(UnitState& state, LogIndex seq);
  Address self() const { return Address::node(self_); }

  NodeId self_;
  const Placement& placement_;
  ChainConfig config_;
  std::unordered_map<UnitId, UnitState> units_;
  OpId next_request_ = 1;  // volatile: CRAQ query ids of this node
  NodeCounters counters_;
  Time now_ = 0;  // the time of the input being handled
};

}  // namespace replisim
