"""The cases of the bad-input fuzz test (fuzz_bad_input.py): seeded
generators of bad or extreme command lines, platform files, sweep specs,
output paths, SimGrid options, fault files, profiles, deployment files,
failover and retry flags, bench and merge invocations. The same seed gives
the same cases; input files are written under the scratch directory given.
"""
import os
import random

# Flags with a valid value each; the base of every command-line mutation.
RUN_FLAGS = {
    "--nodes": "3", "--clients": "1", "--ops": "20", "--keys": "50", "--value-bytes": "100", "--seed": "7",
    "--read-ratio": "0.3", "--rate": "0", "--concurrency": "2", "--latency": "2ms", "--bandwidth": "1Gbps",
    "--timeout": "2000ms", "--latency-scale": "1", "--threads": "1", "--cores": "1", "--host-speed": "1Gf",
    "--disk-read-bw": "500MBps", "--disk-write-bw": "200MBps", "--rf": "3", "--key-dist": "uniform",
    "--model": "leader-follower", "--write-concern": "majority", "--retries": "1", "--retry-backoff": "10ms",
    "--failover": "raft", "--election-timeout": "150ms:300ms", "--heartbeat": "50ms",
}
MODEL_FLAGS = {
    "partitioned": {"--units": "3", "--min-insync": "1", "--start-index": "0", "--acks": "all"},
    "leaderless": {"--vnodes": "4", "--consistency": "QUORUM", "--read-consistency": "ONE", "--strategy": "simple",
                   "--hint-window": "3h", "--speculative-retry": "99p", "--read-request-timeout": "5s",
                   "--repair-interval": "1s", "--clock-skew": "uniform:-5ms:5ms",
                   "--failure-detector": "gossip", "--phi-convict-threshold": "8"},
    "multi-leader": {"--leaders": "1", "--replication-interval": "1ms", "--leader-choice": "random",
                     "--clock-skew": "normal:0:2ms", "--failure-detector": "timeout", "--detector-timeout": "3s"},
    "chain": {"--units": "3", "--chain-reads": "craq", "--failure-detector": "timeout", "--detector-timeout": "3s"},
}
EXTREMES = ["-1", "-0", "0", "nan", "-nan", "inf", "-inf", "1e400", "-1e400", "99999999999999999999",
            "18446744073709551616", "abc", "", "1e3", "0x10", " 5", "1.5", "2147483648", "-2147483649",
            "1e-300", "5e9", "NaN", "Infinity"]
DURATIONS = ["-5ms", "nanms", "infs", "1e400s", "5xs", "ms", "", "0", "86401s", "-0ms", "1e-400s", "2d", "100000h"]
QUANTITIES = ["0Gbps", "-1Gbps", "nanGbps", "infBps", "1e400Tbps", "1Gb", "Gbps", "0.0001bps", "1e300Tf", "0f"]
LAWS = ["all=const:1e300s", "all=exp:-1ms", "write=pareto:1ms:0", "ack=uniform:5ms:1ms", "all=mix:0.5*const:1ms",
        "all=lognormal:1000:1", "nope=const:1ms", "all=", "=const:1ms", "client=const:2d"]
SKEWS = ["uniform:-5ms:5ms", "normal:0:2ms", "const:-2ms", "uniform:5ms:-5ms", "normal:0:-2ms", "const:2h",
         "const:-2h", "normal:0", "gauss:0:1ms", "const:-nanms", "uniform:-infs:0", "const:", "", "-", "const:--1ms"]
ENGINE = ["--cfg=foo:bar", "--cfg=network/model:XX", "--cfg=network/model:ns-3", "--cfg=surf/precision:0",
          "--cfg=surf/precision:-1", "--cfg=precision/timing:0", "--cfg=maxmin/precision:nan", "--log=foo", "--log=root.thres:blah", "--cfg=contexts/factory:x",
          "--cfg=contexts/stack-size:abc", "--cfg=network/crosstraffic:maybe", "--cfg=", "--log=", "--cfg=::",
          "--cfg=network/model:LV08", "--log=root.thres:critical"]


def mutate_value(rng, flag, value):
    if flag in ("--latency", "--timeout", "--replication-interval", "--retry-backoff", "--heartbeat",
                "--hint-window", "--read-request-timeout", "--repair-interval", "--detector-timeout"):
        return rng.choice(DURATIONS)
    if flag == "--clock-skew":
        return rng.choice(SKEWS)
    if flag == "--election-timeout":
        return rng.choice(DURATIONS + ["300ms:150ms", "0ms:1ms", "1ms:", ":5ms", "1ms:2ms:3ms", "5ms:86401s"])
    if flag in ("--bandwidth", "--host-speed", "--disk-read-bw", "--disk-write-bw"):
        return rng.choice(QUANTITIES)
    if rng.random() < 0.15 and value:
        return value[: rng.randrange(len(value))]  # truncated
    return rng.choice(EXTREMES)


def command_line_case(rng):
    flags = dict(RUN_FLAGS)
    model = rng.choice(["leader-follower"] + list(MODEL_FLAGS))
    flags["--model"] = model
    flags.update(MODEL_FLAGS.get(model, {}))
    for flag in rng.sample(sorted(flags), rng.choice([1, 1, 1, 2])):
        flags[flag] = mutate_value(rng, flag, flags[flag])
    args = [rng.choice(["run", "run", "run", "placement"])]
    for flag, value in flags.items():
        args.append(f"{flag}={value}")
    if rng.random() < 0.1:
        args.append("--delay=" + rng.choice(LAWS))
    if rng.random() < 0.1:
        args.append("--service=" + rng.choice(LAWS))
    return args


def mutate_platform(rng, text):
    lines = text.split("\n")
    kind = rng.choice(["drop", "dup", "truncate", "attr", "attr", "version", "routing", "swap"])
    if kind == "drop":
        del lines[rng.randrange(len(lines))]
    elif kind == "dup":  # duplicated ids, routes, links
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "truncate":
        return text[: rng.randrange(len(text))]
    elif kind == "swap":
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        attr = {"attr": rng.choice(["bandwidth", "latency", "speed", "core"]), "version": "version",
                "routing": "routing"}[kind]
        candidates = [i for i, line in enumerate(lines) if f'{attr}="' in line]
        if candidates:
            i = rng.choice(candidates)
            head, rest = lines[i].split(f'{attr}="', 1)
            value = rest.split('"', 1)[1]
            new = rng.choice({
                "bandwidth": ["0Bps", "-1Bps", "infBps", "nanBps", "abc", "", "1e400Bps"],
                "latency": ["-1ms", "infs", "nans", "2000000s", "x", ""],
                "speed": ["0f", "-1Gf", "inff", "abc", ""],
                "core": ["0", "-1", "abc", "99999999999"],
                "version": ["5.0", "3.0", "abc", "", "4.2", "4", "1e400"],
                "routing": ["Full", "Bogus", "Dijkstra", "None", "Cluster", ""],
            }[attr])
            lines[i] = f'{head}{attr}="{new}"{value}'
    return "\n".join(lines)


def platform_case(rng, scratch, n, platforms):
    name, text = rng.choice(platforms)
    path = write_input(scratch, f"platform-{n}.xml", mutate_platform(rng, text))
    model = rng.choice(["leader-follower", "leaderless", "multi-leader", "partitioned", "chain"])
    return ["run", f"--platform={path}", f"--model={model}", "--ops=20", "--rf=2", "--write-concern=1", "--clients=2"]


SPEC = """[sweep]
seeds = [1, 2]

[fixed]
ops = 20
nodes = 3
rf = 3
write-concern = "majority"

[axes]
model = ["leader-follower", "partitioned"]
latency = ["1ms", "2ms"]
"""


def mutated_toml(rng, text, kinds, values):
    """`text` with one mutation of a kind drawn from `kinds`: a line repeated ("dup") or dropped
    ("drop"), the text cut short ("truncate"), a key's value replaced by one of `values` ("value")
    or by a table ("type")."""
    lines = text.split("\n")
    kind = rng.choice(kinds)
    if kind == "dup":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "drop":
        del lines[rng.randrange(len(lines))]
    elif kind == "truncate":
        lines = text[: rng.randrange(len(text))].split("\n")
    else:
        i = rng.choice([i for i, line in enumerate(lines) if " = " in line])
        key = lines[i].split(" = ")[0]
        lines[i] = key + " = " + ("{ a = 1 }" if kind == "type" else rng.choice(values))
    return "\n".join(lines)


def write_input(scratch, name, text):
    path = os.path.join(scratch, "inputs", name)
    with open(path, "w") as f:
        f.write(text)
    return path


def spec_case(rng, scratch, n):
    text = mutated_toml(rng, SPEC, ["dup", "drop", "truncate", "value", "value", "type"],
                        ["-1", "nan", "inf", '"abc"', "[]", "[-5]", "1e400", '""', "[nan]"])
    return ["sweep", write_input(scratch, f"spec-{n}.toml", text), "--jobs=1"]


FAULTS = """[[crash]]
node = "most-leaders"
at = "5ms:10ms"
recover = "20ms"

[[link]]
link = "node1-link"
down = "5ms"
up = "8ms"

[[partition]]
sides = [["node0"], ["node1", "node2"]]
from = "2ms"
until = "9ms"

[[pause]]
node = 1
at = "3ms"
resume = "12ms"
"""


def faults_case(rng, scratch, n):
    text = mutated_toml(rng, FAULTS, ["dup", "drop", "truncate", "value", "value", "value"],
                        ['"-5ms"', '"10ms:5ms"', '"5ms:"', '"1e400s"', "-1", "nan", '"abc"', "[]",
                         '[["mars"], ["node0"]]', '"node99"', "99", '"2d"', "{ a = 1 }", '"5ms:5ms"', '""'])
    path = write_input(scratch, f"faults-{n}.toml", text)
    model = rng.choice(["leader-follower", "leaderless", "multi-leader", "partitioned", "chain"])
    return ["run", f"--faults={path}", f"--model={model}", "--ops=20", "--nodes=3", "--clients=1",
            "--failover=raft" if model in ("leader-follower", "partitioned") else "--rf=3"]


def output_case(rng, scratch, n):
    blocker = os.path.join(scratch, "inputs", f"file-{n}")
    with open(blocker, "w") as f:
        f.write("mine")
    bad = rng.choice([
        ["--out", blocker], ["--out", blocker + "/sub"], ["--out", "/proc/replisim-fuzz/x"],
        ["--roles-dot", os.path.join(scratch, "inputs")], ["--roles-dot", "/proc/replisim-fuzz.dot"],
        ["--roles-dot", blocker + "/x.dot"], ["--out", "/sys/replisim-fuzz"],
    ])
    return ["run", "--ops=20", "--nodes=3", "--clients=1"] + bad


FAILOVER_FLAGS = {
    "--failover": ["raft", "etcd", "mongodb", "kafka", "none", "bogus", ""],
    "--election-timeout": ["150ms:300ms", "1us", "2us:4us", "20us:40us", "1ns", "0", "300ms:150ms", "1ms:", "10s"],
    "--heartbeat": ["50ms", "1us", "1ns", "0", "-1ms", "2s", "1e400s"],
    "--leader-rebalance-interval": ["300s", "1ns", "0", "1ms", "-1s"],
    "--leader-imbalance-pct": ["10", "-1", "101", "nan"],
    "--retries": ["0", "5", "100", "101", "-1"],
    "--retry-backoff": ["100ms", "0", "1ns", "1e400s", "-1ms"],
    "--retry-backoff-max": ["1s", "0", "1ns", "2000000s", "nan", "abc"],
    "--timeout": ["2000ms", "1ns", "1us", "0", "nanms"],
    "--down": ["node0", "node1,node2", "node9", "client0", ""],
    "--min-insync": ["1", "3", "4"],
    "--consistency": ["THREE", "ALL", "EACH_QUORUM"],
    # The failover fidelity flags: step-down, pre-vote, catch-up, read concerns, drivers, Kafka's controller.
    "--check-quorum": ["", "true", "maybe"],
    "--pre-vote": ["", "false", "2"],
    "--catch-up-timeout": ["0", "2s", "-1s", "1ns", "nan"],
    "--read-concern": ["local", "majority", "linearizable", "snapshot", ""],
    "--read-from": ["secondary", "nearest", "follower", "bogus"],
    "--leader-refresh": ["0", "1ns", "10s", "-1s"],
    "--min-leader-refresh": ["0s", "1ns", "500ms", "nan"],
    "--leader-wait": ["0", "30s", "1e400s"],
    "--delivery-timeout": ["0", "120s", "1ns", "-5s"],
    "--kafka-controller": ["kraft", "zookeeper", "etcd", ""],
    # The leaderless read path and hints.
    "--read-path": ["cassandra", "all", "some"],
    "--snitch": ["dynamic", "simple", "gossip"],
    "--speculative-retry": ["NONE", "ALWAYS", "99p", "0p", "101p", "5ms", "-1ms", "p"],
    "--read-repair-policy": ["blocking", "none", "async"],
    "--write-request-timeout": ["2s", "0", "1ns", "nan"],
    "--hints": ["on", "off", "maybe"],
    "--hint-window": ["3h", "0", "-1s", "1e400s"],
    # Anti-entropy repair and clock skew (issue 18).
    "--repair-interval": ["10s", "0", "1ns", "-1s", "1e400s", "nan"],
    "--clock-skew": SKEWS,
    # Failure detection instead of an oracle.
    "--failure-detector": ["auto", "oracle", "gossip", "timeout", "phi", ""],
    "--phi-convict-threshold": ["8", "0", "1", "100", "101", "nan", "-8"],
    "--detector-timeout": ["3s", "0", "1ns", "1e400s", "-1s"],
}


def failover_case(rng):
    """The failover and retry flags, a few of them mutated, on a small run that writes at a low rate."""
    model = rng.choice(["leader-follower", "partitioned", "leaderless"])
    args = ["run", f"--model={model}", "--nodes=3", "--rf=3", "--clients=1", "--ops=20", "--rate=50",
            "--latency=1ms", f"--failover={rng.choice(['raft', 'mongodb', 'kafka', 'none'])}"]
    for flag in rng.sample(sorted(FAILOVER_FLAGS), rng.choice([1, 2, 3])):
        args.append(f"{flag}={rng.choice(FAILOVER_FLAGS[flag])}")
    if model == "leaderless":
        args = [a for a in args if not a.startswith("--failover") and not a.startswith("--election")
                and not a.startswith("--heartbeat") and not a.startswith("--leader-")]
    # A flag without a value is a switch (--check-quorum, --pre-vote).
    args = [a[:-1] if a.endswith("=") and a.split("=")[0] in ("--check-quorum", "--pre-vote") else a for a in args]
    return args


PROFILES = {
    "state": "0 1\n0.5 0\n1 1\n",
    "speed": "0 1\n0.5 0.5\n",
    "bandwidth": "0 1e9\n0.5 1e8\n",
    "latency": "0 0.001\n0.5 0.002\n",
}
PROFILE_LINES = ["0 0", "0 1", "LOOPAFTER 0", "LOOPAFTER -1", "PERIODICITY 0", "x y", "1", "nan 1", "-1 1", "0 nan",
                 "1e400 1", "0 1e9", "0 1e-20", "0 -5", "2 1\n1 1", "LOOPAFTER 1e-9", "", "% comment", "0 0\n0 1"]


def profile_case(rng, scratch, n):
    """A star-like platform whose node host or link names a profile (state, speed, bandwidth or latency), the
    profile's text mutated."""
    kind = rng.choice(sorted(PROFILES))
    text = PROFILES[kind]
    if rng.random() < 0.8:
        lines = text.strip().split("\n")
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(PROFILE_LINES))
        text = "\n".join(lines) + "\n"
    name = f"profile-{n}.txt"
    write_input(scratch, name, text)
    if rng.random() < 0.1:
        name = os.path.join(scratch, "inputs", name)  # an absolute path
    host_attr = f' {kind}_file="{name}"' if kind in ("state", "speed") else ""
    link_attr = f' {kind}_file="{name}"' if kind in ("bandwidth", "latency") else ""
    xml = ['<?xml version="1.0"?>', '<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">',
           '<platform version="4.1">', '<zone id="z" routing="Full">']
    for i in range(3):
        attr = host_attr if i == 1 else ""
        xml.append(f'<host id="node{i}" speed="1Gf"{attr}/>')
    xml.append('<host id="client0" speed="1Gf"/>')
    hosts = ["node0", "node1", "node2", "client0"]
    for i, h in enumerate(hosts):
        attr = link_attr if i == 1 else ""
        xml.append(f'<link id="l{i}" bandwidth="1GBps" latency="1ms"{attr}/>')
    for i, a in enumerate(hosts):
        for j, b in enumerate(hosts):
            if i < j:
                xml.append(f'<route src="{a}" dst="{b}"><link_ctn id="l{i}"/><link_ctn id="l{j}"/></route>')
    xml += ["</zone>", "</platform>"]
    path = write_input(scratch, f"platform-{n}.xml", "\n".join(xml))
    model = rng.choice(["leader-follower", "leaderless", "multi-leader", "partitioned", "chain"])
    return ["run", f"--platform={path}", f"--model={model}", "--ops=20", "--rf=2", "--write-concern=1",
            "--clients=1", "--rate=20", "--service=client=const:0.1ms"]


DEPLOYMENT = """<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <actor host="n0" function="replisim-node"><prop id="model" value="chain"/><prop id="threads" value="2"/></actor>
  <actor host="n3" function="replisim-node"><prop id="model" value="chain"/></actor>
  <actor host="n6" function="replisim-node"><prop id="model" value="chain"/><prop id="zone" value="europe"/></actor>
  <actor host="client0" function="replisim-client"/>
  <actor host="client1" function="replisim-client"/>
</platform>
"""
DEPLOYMENT_ATTRS = ['start_time="1"', 'kill_time="2"', 'on_failure="RESTART"', 'host="mars"', 'function="main"',
                    'host=""']
DEPLOYMENT_PROPS = ['<prop id="zone" value=""/>', '<prop id="threads" value="0"/>', '<prop id="threads" value="5000"/>',
                    '<prop id="rf" value="9"/>', '<prop id="model" value="leaderless"/>', '<prop id="bogus" value="1"/>',
                    '<argument value="=1"/>', '<prop id="service" value="client=const:1ms"/>']


def deployment_case(rng, scratch, n, platforms_dir):
    lines = DEPLOYMENT.split("\n")
    kind = rng.choice(["attr", "prop", "dup", "drop", "truncate", "many", "dir"])
    actors = [i for i, line in enumerate(lines) if "<actor" in line]
    i = rng.choice(actors)
    if kind == "attr":
        lines[i] = lines[i].replace("<actor ", "<actor " + rng.choice(DEPLOYMENT_ATTRS) + " ", 1)
    elif kind == "prop":
        lines[i] = lines[i].replace("/>", ">" + rng.choice(DEPLOYMENT_PROPS) + "</actor>", 1) \
            if lines[i].endswith("/>") else lines[i].replace("</actor>", rng.choice(DEPLOYMENT_PROPS) + "</actor>")
    elif kind == "dup":
        lines.insert(i, lines[i])
    elif kind == "drop":
        del lines[i]
    elif kind == "many":  # more clients than --clients allows
        lines[i:i] = ['  <actor host="client2" function="replisim-client"/>'] * 10001
    text = "\n".join(lines) if kind != "truncate" else DEPLOYMENT[: rng.randrange(len(DEPLOYMENT))]
    path = write_input(scratch, f"deployment-{n}.xml", text) if kind != "dir" else os.path.join(scratch, "inputs")
    return ["run", f"--platform={os.path.join(platforms_dir, 'three_dc_wan.xml')}", f"--deployment={path}",
            "--ops=20"]


def bench_case(rng, scratch, n):
    flags = {"--nodes-list": ["1", "2", "3", "0", "10001", "abc", ""], "--models": ["chain", "bogus", ""],
             "--messages": ["1", "2", "0", "1e400"], "--repeat": ["0", "1", "1000"], "--cost": ["0", "1ns", "2d", "x"],
             "--csv": ["/proc/replisim-fuzz.csv", os.path.join(scratch, "inputs"), "/nonexistent/x.csv"],
             "--concurrency": ["0", "1", "2000000"]}
    chosen = {"--nodes-list": "3", "--models": "chain"}  # a dry run of the default lists takes seconds
    for flag in rng.sample(sorted(flags), rng.choice([1, 2])):
        chosen[flag] = rng.choice(flags[flag])
    return ["bench", "--dry-run"] + [f"{flag}={value}" for flag, value in chosen.items()]


ROW_HEADER = "model,seed,status,error,write_p50_ms,replisim_version,schema_version"
ROW_VALUES = "leader-follower,1,ok,,1.0,0.2.0,3"


def merge_case(rng, scratch, n):
    """Two shard directories of one sweep, one row file mutated: a changed header, a cut or doubled line,
    a missing sweep-id."""
    shards = []
    for s in range(2):
        d = os.path.join(scratch, "inputs", f"merge-{n}-{s}")
        os.makedirs(os.path.join(d, "rows"))
        with open(os.path.join(d, "sweep-id"), "w") as f:
            f.write("fingerprint 1234\njobs 2\n")
        with open(os.path.join(d, "rows", f"{s:06}.csv"), "w") as f:
            header, values = ROW_HEADER, ROW_VALUES
            if s == 1:
                kind = rng.choice(["header", "cut", "double", "extra", "none"])
                if kind == "header":
                    header = header.replace("model", "modelX")
                elif kind == "cut":
                    values = values[: rng.randrange(len(values))]
                elif kind == "double":
                    values = values + "\n" + values
                elif kind == "extra":
                    values += ",x"
            f.write(header + "\n" + values + "\n")
        shards.append(d)
    if rng.random() < 0.2:
        os.remove(os.path.join(shards[1], "sweep-id"))
    return ["merge"] + shards


def engine_case(rng):
    return ["run", "--ops=20", "--nodes=3", "--clients=1", rng.choice(ENGINE)] + \
        ([rng.choice(ENGINE)] if rng.random() < 0.3 else [])


def make_cases(seed, count, scratch, data, platforms_dir):
    rng = random.Random(seed)
    platforms = []
    for path in [os.path.join(data, "known_latencies.xml"), os.path.join(platforms_dir, "three_dc_wan.xml"),
                 os.path.join(platforms_dir, "single_cluster.xml")]:
        with open(path) as f:
            platforms.append((os.path.basename(path), f.read()))
    cases = [["run", f"--platform={data}"], ["run", "--platform=/nonexistent/x.xml"]]  # a directory, a missing file
    kinds = {"cli": 22, "platform": 14, "spec": 5, "output": 6, "engine": 6, "faults": 12, "failover": 12,
             "profile": 10, "deployment": 8, "bench": 3, "merge": 4}
    while len(cases) < count:
        n = len(cases)
        kind = rng.choices(list(kinds), list(kinds.values()))[0]
        if kind == "failover":
            cases.append(failover_case(rng))
        elif kind == "profile":
            cases.append(profile_case(rng, scratch, n))
        elif kind == "deployment":
            cases.append(deployment_case(rng, scratch, n, platforms_dir))
        elif kind == "bench":
            cases.append(bench_case(rng, scratch, n))
        elif kind == "merge":
            cases.append(merge_case(rng, scratch, n))
        elif kind == "cli":
            cases.append(command_line_case(rng))
        elif kind == "platform":
            cases.append(platform_case(rng, scratch, n, platforms))
        elif kind == "spec":
            cases.append(spec_case(rng, scratch, n))
        elif kind == "output":
            cases.append(output_case(rng, scratch, n))
        elif kind == "faults":
            cases.append(faults_case(rng, scratch, n))
        else:
            cases.append(engine_case(rng))
    return cases
