// Anti-entropy repair: the Merkle trees, and the leaderless node's side of it
// (coordinator and replica). See repair.hpp.
#include "protocols/leaderless/repair.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "protocols/common/key_hash.hpp"
#include "protocols/leaderless/leaderless.hpp"

namespace replisim {

namespace {

// A row's hash: its key and version (Cassandra hashes the row's content
// with its timestamp).
std::uint64_t row_hash(Key key, Version version) { return stable_hash(stable_hash(key) ^ version); }

}  // namespace

std::uint32_t tree_leaves(std::size_t rows)
{
  if (rows <= 1)
    return 1;
  return rows >= kMaxTreeLeaves ? kMaxTreeLeaves : std::bit_ceil(static_cast<std::uint32_t>(rows));
}

// A leaf is a sub-range of the range: keys spread by a hash of their own,
// not the placement's (whose values within one range are clustered).
std::uint32_t leaf_of(Key key, std::uint32_t leaf_count)
{
  return static_cast<std::uint32_t>(stable_hash(stable_hash(key)) % leaf_count);
}

std::vector<std::uint64_t> merkle_tree(const std::unordered_map<Key, Version>& data, const Placement& placement,
                                       UnitId unit, std::uint32_t leaf_count)
{
  std::vector<std::uint64_t> digests(leaf_count, 0);
  for (const auto& [key, version] : data)
    if (placement.unit_of(key) == unit)
      digests[leaf_of(key, leaf_count)] ^= row_hash(key, version);
  return digests;
}

std::vector<std::uint32_t> differing_leaves(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b)
{
  std::vector<std::uint32_t> leaves;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (a[i] != b[i])
      leaves.push_back(static_cast<std::uint32_t>(i));
  return leaves;
}

std::vector<StreamedRow> rows_in(const std::unordered_map<Key, Version>& data, const Placement& placement,
                                 UnitId unit, std::uint32_t leaf_count, const std::vector<std::uint32_t>& leaves)
{
  std::vector<StreamedRow> rows;
  for (const auto& [key, version] : data)
    if (placement.unit_of(key) == unit && std::binary_search(leaves.begin(), leaves.end(), leaf_of(key, leaf_count)))
      rows.push_back({key, version});
  std::sort(rows.begin(), rows.end(), [](const StreamedRow& a, const StreamedRow& b) { return a.key < b.key; });
  return rows;
}

std::size_t rows_of(const std::unordered_map<Key, Version>& data, const Placement& placement, UnitId unit)
{
  return static_cast<std::size_t>(
      std::count_if(data.begin(), data.end(), [&](const auto& row) { return placement.unit_of(row.first) == unit; }));
}

// --- the leaderless node's side -------------------------------------------------

// Repairs run at whole multiples of the interval, as a schedule (cron, or
// Cassandra Reaper) starts them: a node back from a crash joins the next one
// rather than starting its own period.
void LeaderlessNode::arm_repair(Time now, Ready& out)
{
  if (config_.repair_interval <= 0)
    return;
  const double done = std::floor(now / config_.repair_interval + 1e-9);
  out.set_timer(kRepairTimer, (done + 1) * config_.repair_interval);
}

// A full repair of every range this node is the primary replica of (-pr).
void LeaderlessNode::start_repair(Time now, Ready& out)
{
  repair_ = RepairJob{};  // one still running is abandoned
  for (UnitId u = 0; u < placement_.unit_count(); ++u)
    if (placement_.primary(u) == self_)
      repair_.ranges.push_back(u);
  ++stats_.repairs_started;
  next_range(out);
  arm_repair(now, out);
}

void LeaderlessNode::next_range(Ready& out)
{
  repair_.session = 0;
  while (repair_.next < repair_.ranges.size()) {
    const UnitId unit = repair_.ranges[repair_.next++];
    const auto replicas = placement_.replicas(unit);
    if (replicas.size() < 2 || std::any_of(replicas.begin(), replicas.end(), [&](NodeId n) { return seen_down(n); }))
      continue;  // nothing to compare, or a replica down: the session would fail
    repair_.session = next_request_;
    next_request_ += 4;
    repair_.unit = unit;
    repair_.leaf_count = tree_leaves(rows_of(data_, placement_, unit));
    repair_.replicas.assign(replicas.begin(), replicas.end());
    repair_.trees.assign(replicas.size(), {});
    repair_.tree_in.assign(replicas.size(), false);
    repair_.syncs_pending = 0;
    for (NodeId n : replicas)
      out.send(self(), Address::node(n), ValidationRequest{repair_.session, unit, repair_.leaf_count});
    return;
  }
}

// Validation: the tree of what this replica holds now.
void LeaderlessNode::on(const ValidationRequest& m, Address from, Time, Ready& out)
{
  out.send(self(), from, MerkleTree{m.session, m.unit, merkle_tree(data_, placement_, m.unit, m.leaves)});
}

void LeaderlessNode::on(const MerkleTree& m, Address from, Time, Ready& out)
{
  if (m.session == 0 || m.session != repair_.session)
    return;  // an abandoned session's
  const auto at = std::find(repair_.replicas.begin(), repair_.replicas.end(), from.index);
  if (at == repair_.replicas.end())
    return;
  const auto i = static_cast<std::size_t>(at - repair_.replicas.begin());
  repair_.trees[i] = m.digests;
  repair_.tree_in[i] = true;
  if (!std::all_of(repair_.tree_in.begin(), repair_.tree_in.end(), [](bool in) { return in; }))
    return;
  // Every tree against every other (RepairJob's differences): one sync per
  // pair that differs.
  for (std::size_t a = 0; a < repair_.replicas.size(); ++a)
    for (std::size_t b = a + 1; b < repair_.replicas.size(); ++b) {
      std::vector<std::uint32_t> leaves = differing_leaves(repair_.trees[a], repair_.trees[b]);
      if (leaves.empty())
        continue;
      ++repair_.syncs_pending;
      out.send(self(), Address::node(repair_.replicas[a]),
               SyncRequest{repair_.session, repair_.unit, repair_.replicas[b], repair_.leaf_count, std::move(leaves)});
    }
  if (repair_.syncs_pending == 0)
    next_range(out);
}

void LeaderlessNode::on(const SyncRequest& m, Address from, Time, Ready& out)
{
  out.send(self(), Address::node(m.peer),
           RepairStream{m.session, m.unit, from.index, m.leaf_count, m.leaves,
                        rows_in(data_, placement_, m.unit, m.leaf_count, m.leaves), true});
}

void LeaderlessNode::on(const RepairStream& m, Address from, Time, Ready& out)
{
  if (m.reply) {
    // What this replica held before taking the peer's rows goes back.
    std::vector<StreamedRow> mine = rows_in(data_, placement_, m.unit, m.leaf_count, m.leaves);
    take_rows(m.rows, out);
    out.send(self(), from, RepairStream{m.session, m.unit, m.coordinator, m.leaf_count, m.leaves, std::move(mine), false});
    return;
  }
  take_rows(m.rows, out);
  out.send(self(), Address::node(m.coordinator), SyncComplete{m.session});
}

void LeaderlessNode::take_rows(const std::vector<StreamedRow>& rows, Ready& out)
{
  bool wrote = false;
  for (const StreamedRow& row : rows) {
    Version& held = data_[row.key];
    if (row.version > held) {
      held = row.version;
      ++stats_.repaired_keys;
      wrote = true;
    }
  }
  out.persist += wrote ? 1 : 0;  // the streamed rows are written (as an sstable)
}

void LeaderlessNode::on(const SyncComplete& m, Address, Time, Ready& out)
{
  if (m.session == 0 || m.session != repair_.session)
    return;
  if (--repair_.syncs_pending == 0)
    next_range(out);
}

}  // namespace replisim
