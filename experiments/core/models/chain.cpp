// chain: chain replication (van Renesse and Schneider, OSDI 2004), with CRAQ
// reads (Terrace and Freedman, USENIX ATC 2009). It splits the roles inside
// one unit: the head leads (takes and orders every write), the tail is the
// primary (holds the committed copy reads trust).
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "experiments/core/models/failure_detector.hpp"
#include "experiments/core/models/leader_based.hpp"
#include "experiments/core/models/registry.hpp"
#include "experiments/core/models/version_audit.hpp"
#include "protocols/chain/chain.hpp"
#include "protocols/chain/chain_router.hpp"

namespace replisim {

namespace {

const IntegerParam kUnits{{
    .name = "units",
    .help = "chains, placed on a ring of the nodes (default: one per node)",
    .min = 1,
    .max = 100'000,  // a placement and a log per unit on each replica: ~3 KB a unit (1,000,000 took 2.7 GB)
}};

const ChoiceParam kChainReads{{
    .name = "chain-reads",
    .default_value = "tail",
    .help = "tail (reads at the tail, as in chain replication) or craq (at any replica, which asks the tail for "
            "the committed version when it holds a dirty one)",
    .choices = {"tail", "craq"},
}};

// Chain u is the rf nodes after u on a ring of the nodes, as CRAQ places
// chains by consistent hashing: with as many chains as nodes, every node is
// the head of one, the tail of one and in the middle of the others.
Placement ring_of_chains(int nodes, int chains, int rf)
{
  std::vector<std::vector<NodeId>> replicas;
  for (int u = 0; u < chains; ++u) {
    std::vector<NodeId> chain;
    for (int i = 0; i < rf; ++i)
      chain.push_back((u + i) % nodes);
    replicas.push_back(std::move(chain));
  }
  return Placement(nodes, std::move(replicas));
}

class ChainModel final : public Model {
public:
  ChainModel(const ModelContext& context, Placement placement)
      : Model(context.config.rf), placement_(std::move(placement)), membership_(context.membership),
        config_{parse_chain_reads(context.params[kChainReads])},
        nodes_(static_cast<std::size_t>(placement_.node_count()), nullptr),
        audit_(context.config.faults)
  {
    if (detector_of(context.params, context.config, DetectorKind::timeout, "chain") == DetectorKind::timeout)
      master_.emplace(membership_, TimeoutDetectorConfig{.timeout = context.params[kDetectorTimeout]});
    // A node back from a crash asks its neighbour for the updates after its
    // own committed point, which compaction may have discarded: whole logs
    // whenever a fault is scheduled.
    config_.compact_logs = !audit_.kept();
  }

  const Placement& placement() const override { return placement_; }
  std::unique_ptr<NodeMachine> make_node(NodeId node) override
  {
    auto machine = std::make_unique<ChainNode>(node, placement_, config_, &membership_, master_ ? &*master_ : nullptr);
    nodes_.at(static_cast<std::size_t>(node)) = machine.get();
    return machine;
  }
  std::unique_ptr<Router> make_router(ClientId) override
  {
    // Clients learn the chains from the master.
    return std::make_unique<ChainRouter>(placement_, config_.reads, master_ ? &master_->view() : &membership_);
  }
  SummaryRow results() const override { return detection_results(master_ ? &*master_ : nullptr); }
  // The head of each chain leads it, the tail is its primary: of its live
  // replicas in placement order (§3: a failed node leaves the chain, one that
  // returns rejoins at its place). Under the timeout detector, live as the
  // master sees it: a failed head leads (nothing) until it is convicted.
  UnitRoles roles() const override
  {
    const Membership& view = master_ ? master_->view() : membership_;
    UnitRoles r;
    for (UnitId u = 0; u < placement_.unit_count(); ++u) {
      std::vector<NodeId> live;
      for (NodeId n : placement_.replicas(u))
        if (view.alive[n])
          live.push_back(n);
      r.primaries.push_back(live.empty() ? std::vector<NodeId>{} : std::vector<NodeId>{live.back()});
      r.leaders.push_back(live.empty() ? std::vector<NodeId>{} : std::vector<NodeId>{live.front()});
    }
    return r;
  }

  void on_completion(const Completion& op) override
  {
    audit_.completed(op);
  }
  // Under faults: acknowledged writes the unit's final tail does not hold
  // (its last live replica; with none live, the furthest of its replicas).
  std::optional<std::uint64_t> acked_writes_lost() const override
  {
    return audit_.lost([this](UnitId unit, Key key) {
      Version newest = 0;
      for (NodeId n : placement_.replicas(unit)) {
        const Version v = nodes_[static_cast<std::size_t>(n)]->version_of(key);
        if (membership_.alive[n])
          newest = v;  // the last live replica is the tail
        else if (!any_alive(unit))
          newest = std::max(newest, v);
      }
      return newest;
    });
  }

private:
  bool any_alive(UnitId unit) const
  {
    const auto chain = placement_.replicas(unit);
    return std::any_of(chain.begin(), chain.end(), [&](NodeId n) { return membership_.alive[n]; });
  }

  Placement placement_;
  const Membership& membership_;
  ChainConfig config_;
  std::optional<TimeoutDetector> master_;  // the paper's master under --failure-detector timeout
  std::vector<const ChainNode*> nodes_;
  VersionAudit audit_;
};

}  // namespace

void add_chain(ModelRegistry& registry)
{
  registry.add({"chain",
                "chain replication, CRAQ",
                {kUnits.spec(), kChainReads.spec(), kFailureDetector.spec(), kPhiConvictThreshold.spec(),
                 kDetectorTimeout.spec()},
                {"detection_ms_p50", "detection_ms_max"},
                [](const ModelContext& context) -> std::unique_ptr<Model> {
                  require_plain_rf(context);
                  const int nodes = static_cast<int>(context.cluster.nodes().size());
                  const int chains = context.params.given(kUnits) ? static_cast<int>(context.params[kUnits]) : nodes;
                  return std::make_unique<ChainModel>(context, ring_of_chains(nodes, chains, context.config.rf));
                }});
}

}  // namespace replisim
