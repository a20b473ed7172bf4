// Every numeric flag has a range, checked before anything runs: negative
// values in unsigned flags, non-finite numbers and values whose memory or time
// would run away are one line naming the flag, exit 2. Each case here ran
// (for ever, with 2^64 - 1, or out of memory) before the ranges existed.
#include "support/bad_input.hpp"


#include <fmt/format.h>

namespace limits_test {

using Limits = replisim::test::BadInputTest;

TEST_F(Limits, NegativeValuesOfUnsignedFlagsAreRefused)
{
  expect_bad_input("run --ops -5", "--ops");
  expect_bad_input("run --ops=-5", "--ops");
  expect_bad_input("run --keys -1", "--keys");
  expect_bad_input("run --value-bytes -1", "--value-bytes");
  expect_bad_input("run --seed -1", "--seed");
  expect_refused(replisim("bench --ops -1"), "--ops");
}

TEST_F(Limits, NonFiniteNumbersAreRefused)
{
  for (const char* bad : {"nan", "inf", "-inf"}) {
    expect_bad_input(fmt::format("run --read-ratio={}", bad), "--read-ratio");
    expect_bad_input(fmt::format("run --rate={}", bad), "--rate");
    expect_bad_input(fmt::format("run --latency-scale={}", bad), "--latency-scale");
    expect_bad_input(fmt::format("run --latency={}ms", bad), "--latency");
    expect_bad_input(fmt::format("run --timeout={}ms", bad), "--timeout");
    expect_bad_input(fmt::format("run --bandwidth={}Gbps", bad), "--bandwidth");
    expect_bad_input(fmt::format("run --host-speed={}Gf", bad), "--host-speed");
  }
}

TEST_F(Limits, NumbersOutOfRangeAreRefused)
{
  expect_bad_input("run --rate 1e-300", "--rate");
  expect_bad_input("run --rate 2e9", "--rate");
  expect_bad_input("run --read-ratio 1.5", "--read-ratio");
  expect_bad_input("run --latency-scale 0", "--latency-scale");
  expect_bad_input("run --latency-scale 1e7", "--latency-scale");
  expect_bad_input("run --nodes 10001", "--nodes");
  expect_bad_input("run --clients 10001", "--clients");
  expect_bad_input("run --clients 0", "--clients");
  expect_bad_input("run --ops 10000000001", "--ops");
  expect_bad_input("run --keys 1000000001", "--keys");
  expect_bad_input("run --value-bytes 1073741825", "--value-bytes");
  expect_bad_input("run --concurrency 1000001", "--concurrency");
  expect_bad_input("run --timeout 1000001s", "--timeout");
  expect_bad_input("run --timeout 0ms", "--timeout");
  expect_bad_input("run --latency 2d", "--latency");
  expect_bad_input("run --latency 86401s", "--latency");
  expect_bad_input("run --bandwidth 1e300Tbps", "--bandwidth");
  expect_bad_input("run --bandwidth 0.01bps", "--bandwidth");
  expect_bad_input("run --disk-read-bw 0MBps", "--disk-read-bw");
  expect_bad_input("run --rf 10001", "--rf");
  expect_bad_input("run --model leaderless --strategy network-topology --rf a:6000,b:6000", "--rf");
  expect_bad_input("run --delay all=const:2d", "--delay");
  expect_bad_input("run --delay all=const:86401s", "--delay");
  expect_bad_input("run --service client=exp:1000000s", "--service");
  expect_refused(replisim("bench --nodes-list 0"), "--nodes-list");
  expect_refused(replisim("bench --nodes-list 10,20000"), "--nodes-list");
  expect_refused(replisim("bench --concurrency 0"), "--concurrency");
  expect_refused(replisim("bench --cost 2d"), "--cost");
  expect_refused(replisim("platform --nodes 0"), "--nodes");
  expect_refused(replisim("platform --latency=-1ms"), "--latency");
  expect_bad_input("placement --nodes 20000", "--nodes");
}

// Each would take minutes or gigabytes before the first event.
TEST_F(Limits, ValuesThatMemoryFollowsAreRefusedAtOnce)
{
  expect_bad_input("run --model partitioned --units 10000000", "--units");
  expect_bad_input("run --model chain --units 100001", "--units");
  expect_bad_input("run --key-dist zipfian --keys 1000000000", "--keys");
  expect_bad_input("run --model leaderless --nodes 10000 --vnodes 101", "--vnodes");
  expect_bad_input("run --model leaderless --vnodes 4097", "--vnodes");
  expect_bad_input("run --model multi-leader --leaders 1001", "--leaders-per-zone");
  expect_bad_input("run --model partitioned --min-insync 0", "--min-insync");
  expect_bad_input("run --model multi-leader --replication-interval 2h", "--replication-interval");
}

// The largest values of the ranges are accepted.
TEST_F(Limits, TheEdgesOfTheRangesRun)
{
  const replisim::test::CommandResult r =
      replisim("run --nodes 3 --clients 1 --ops 3 --seed 18446744073709551615 --keys 1000000000 "
               "--value-bytes 1073741824 --rate 0.001 --timeout 1000000s --latency-scale 1e6 --read-ratio 1");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(replisim("placement --model leaderless --nodes 1000 --vnodes 1000").status, 0);
}

// The election flags belong to the presets that have them: --check-quorum
// and --pre-vote to raft (mongodb always does both), --catch-up-timeout to
// mongodb.
TEST_F(Limits, ElectionFlagsOutsideTheirPresetAreRefused)
{
  expect_bad_input("run --check-quorum", "--check-quorum");
  expect_bad_input("run --failover mongodb --check-quorum", "--check-quorum");
  expect_bad_input("run --failover kafka --model partitioned --pre-vote", "--pre-vote");
  expect_bad_input("run --failover mongodb --pre-vote", "--pre-vote");
  expect_bad_input("run --failover raft --catch-up-timeout 5s", "--catch-up-timeout");
  expect_bad_input("run --failover mongodb --catch-up-timeout -1s", "--catch-up-timeout");
  expect_bad_input("run --failover etcd --check-quorum", "--check-quorum");
}

// etcd's election timeout is one duration, counted in heartbeats (ticks):
// at least 5 (as etcd requires) and a whole number of them.
TEST_F(Limits, EtcdsElectionTimeoutIsAWholeNumberOfAtLeastFiveHeartbeats)
{
  expect_bad_input("run --failover etcd --election-timeout 1000ms:2000ms", "--election-timeout");
  expect_bad_input("run --failover etcd --election-timeout 450ms", "--election-timeout");
  expect_bad_input("run --failover etcd --heartbeat 100ms --election-timeout 1050ms", "--election-timeout");
  expect_bad_input("run --failover etcd --heartbeat 300ms", "--election-timeout");
  EXPECT_EQ(replisim("run --failover etcd --heartbeat 10ms --election-timeout 50ms --ops 10 --dry-run").status, 0);
}

}  // namespace limits_test
