#include "actors/platform_check.hpp"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include "actors/engine_args.hpp"
#include "platforms/star_platform.hpp"

namespace replisim {

namespace sg4 = simgrid::s4u;
namespace fs = std::filesystem;

namespace {

constexpr double kMaxLinkLatency = 86'400;  // seconds: a day, as --latency
constexpr double kTimePrecision = 1e-9;     // seconds: SimGrid's precision/timing
constexpr char kMarker = '\x1e';
// In a probe child: what it is doing, in memory shared with the parent, which
// reports it when SimGrid crashes there.
char* probe_step = nullptr;
constexpr std::size_t kStepSize = 1024;

void set_step(const std::string& step)
{
  if (probe_step != nullptr)
    std::snprintf(probe_step, kStepSize, "%s", step.c_str());
}
constexpr std::size_t kReverseSources = 32;
constexpr std::size_t kHubBothWaysHosts = 2'000;  // up to this many hosts, every host to node 0 too
constexpr unsigned kRouteCheckSeconds = 15;  // large platforms: hosts whose route to node 0 is checked            // before a probe child's own one-line message

std::string first_line(const std::string& text)
{
  const auto begin = text.find_first_not_of(" \t\r\n*");
  if (begin == std::string::npos)
    return "";
  std::string line = text.substr(begin, text.find_first_of("\r\n", begin) - begin);
  line.erase(line.find_last_not_of(" \t*") + 1);
  return line;
}

// The <platform ...> tag's version attribute, and the line it is on;
// comments skipped. Empty when the file has no <platform> tag (SimGrid says
// what is wrong then) or no version.
struct VersionAttribute {
  bool tag = false;
  bool found = false;
  std::string value;
  int line = 0;
};

VersionAttribute find_version(const std::string& xml)
{
  VersionAttribute v;
  std::size_t at = 0;
  while (true) {
    const std::size_t tag = xml.find("<platform", at);
    const std::size_t comment = xml.find("<!--", at);
    if (tag == std::string::npos)
      return v;
    if (comment != std::string::npos && comment < tag) {
      const std::size_t end = xml.find("-->", comment + 4);
      if (end == std::string::npos)
        return v;
      at = end + 3;
      continue;
    }
    const std::size_t after = tag + 9;
    if (after < xml.size() && !std::isspace(static_cast<unsigned char>(xml[after])) && xml[after] != '>' &&
        xml[after] != '/') {
      at = after;
      continue;
    }
    v.tag = true;
    v.line = 1 + static_cast<int>(std::count(xml.begin(), xml.begin() + static_cast<std::ptrdiff_t>(tag), '\n'));
    const std::size_t close = xml.find('>', after);
    const std::string attributes = xml.substr(after, close == std::string::npos ? std::string::npos : close - after);
    std::size_t pos = 0;
    while ((pos = attributes.find("version", pos)) != std::string::npos) {
      const bool word_start = pos == 0 || std::isspace(static_cast<unsigned char>(attributes[pos - 1]));
      std::size_t p = pos + 7;
      while (p < attributes.size() && std::isspace(static_cast<unsigned char>(attributes[p])))
        ++p;
      if (word_start && p < attributes.size() && attributes[p] == '=') {
        ++p;
        while (p < attributes.size() && std::isspace(static_cast<unsigned char>(attributes[p])))
          ++p;
        if (p < attributes.size() && (attributes[p] == '"' || attributes[p] == '\'')) {
          const std::size_t end = attributes.find(attributes[p], p + 1);
          if (end != std::string::npos) {
            v.found = true;
            v.value = attributes.substr(p + 1, end - p - 1);
            return v;
          }
        }
      }
      pos += 7;
    }
    return v;
  }
}

struct Probe {
  bool ok = true;
  std::string message;
};

// Runs `body` in a child process whose stdout is /dev/null and whose stderr
// (SimGrid's messages) the parent reads: the child's own one-line message
// when `body` throws, else what SimGrid said before aborting.
Probe run_probe(const std::function<void()>& body)
{
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("cannot check SimGrid's options: pipe failed");
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  void* shared = mmap(nullptr, kStepSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  char* step = shared == MAP_FAILED ? nullptr : static_cast<char*>(shared);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("cannot check SimGrid's options: fork failed");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(3);
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
      std::signal(sig, SIG_DFL);
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0)
      dup2(null_fd, STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    probe_step = step;
    int status = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::cerr << kMarker << first_line(e.what()) << "\n";
      status = 2;
    } catch (...) {
      std::cerr << kMarker << "unknown error\n";
      status = 2;
    }
    std::cerr.flush();
    _exit(status);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
      if (text.size() > (1u << 20))
        text.erase(0, text.size() - (1u << 19));  // keep the end: the message is last
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Probe p;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return p;
  p.ok = false;
  if (const auto marker = text.rfind(kMarker); marker != std::string::npos && WIFEXITED(status)) {
    p.message = first_line(text.substr(marker + 1));
  } else if (const auto critical = text.rfind("/CRITICAL] "); critical != std::string::npos) {
    p.message = first_line(text.substr(critical + 11));
  } else {
    p.message = first_line(text);
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    p.message = fmt::format("no answer from SimGrid within {} s", kRouteCheckSeconds);
  // A sanitizer catches the signal, reports it and exits instead of dying of it.
  const bool crashed = WIFSIGNALED(status) || text.find("AddressSanitizer:DEADLYSIGNAL") != std::string::npos;
  if (crashed && step != nullptr && step[0] != '\0')
    p.message = fmt::format("SimGrid failed while {}{}", step, p.message.empty() ? "" : " (" + p.message + ")");
  if (step != nullptr)
    munmap(step, kStepSize);
  if (p.message.empty())
    p.message = WIFSIGNALED(status) ? fmt::format("SimGrid stopped by signal {}", WTERMSIG(status))
                                    : fmt::format("SimGrid exited with status {}", WEXITSTATUS(status));
  return p;
}

// A temporary file holding a tiny star platform, removed with it.
class TinyPlatform {
public:
  TinyPlatform()
  {
    path_ = (fs::temp_directory_path() / "replisim-probe-XXXXXX.xml").string();
    const int fd = mkstemps(path_.data(), 4);
    if (fd < 0)
      throw std::runtime_error("cannot create a temporary platform file in " + fs::temp_directory_path().string());
    close(fd);
    std::ofstream(path_) << star_platform_xml({2, 1, 0.001, 125e6});
  }
  ~TinyPlatform() { remove(); }
  // Once SimGrid has read it: a probe that SimGrid then aborts, or that a
  // signal stops, leaves nothing behind.
  void remove() const
  {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  TinyPlatform(const TinyPlatform&) = delete;
  TinyPlatform& operator=(const TinyPlatform&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

// A message between two hosts and a little computation: what a run asks of
// the network, CPU and context models.
void tiny_simulation(sg4::Engine& engine, const PlatformHosts& hosts)
{
  static int payload = 0;
  sg4::Host* a = hosts.nodes.at(0);
  sg4::Host* b = hosts.nodes.at(1);
  sg4::Actor::create("probe-sender", a, [] { sg4::Mailbox::by_name("probe")->put(&payload, 100); });
  sg4::Actor::create("probe-receiver", b, [] {
    sg4::Mailbox::by_name("probe")->get<int>();
    sg4::this_actor::execute(1e6);
  });
  engine.run();
}

}  // namespace

std::string route_problem(const sg4::Host* from, const sg4::Host* to)
{
  if (from == to)
    return "";
  std::vector<sg4::Link*> links;
  double latency = 0;
  try {
    from->route_to(to, links, &latency);
  } catch (const std::exception& e) {
    return first_line(e.what());
  }
  return links.empty() && !(latency > 0) ? "no route" : "";
}

void check_platform_file(const std::string& path)
{
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    throw PlatformError("cannot read platform file '" + path + "': no such file");
  if (fs::is_directory(status))
    throw PlatformError("platform file '" + path + "' is a directory");
  if (!fs::is_regular_file(status))
    throw PlatformError("platform file '" + path + "' is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw PlatformError("cannot read platform file '" + path + "'");
  std::string head(1u << 20, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const VersionAttribute v = find_version(head);
  if (!v.tag)
    return;  // not a platform: SimGrid names the line
  if (!v.found)
    throw PlatformError(fmt::format("platform file '{}':{}: <platform> has no version (SimGrid 3.32 reads version 4.1)",
                                    path, v.line));
  char* end = nullptr;
  const double version = std::strtod(v.value.c_str(), &end);
  const bool number = !v.value.empty() && end == v.value.c_str() + v.value.size() && std::isfinite(version);
  const long hundredths = number ? std::lround(version * 100) : 0;
  if (!number || hundredths < 400 || hundredths > 410)
    throw PlatformError(fmt::format("platform file '{}':{}: version '{}' is not supported: SimGrid 3.32 reads 4.0 to "
                                    "4.1 (simgrid_update_xml updates older files)",
                                    path, v.line, v.value));
}

void check_platform(const std::string& path, const PlatformHosts& hosts, double latency_scale)
{
  const auto fail = [&path](const std::string& why) { throw PlatformError(fmt::format("platform file '{}': {}", path, why)); };
  for (const sg4::Link* link : sg4::Engine::get_instance()->get_all_links()) {
    if (link->get_sharing_policy() == sg4::Link::SharingPolicy::WIFI)
      continue;
    const double bandwidth = link->get_bandwidth();
    const double latency = link->get_latency();
    if (!(std::isfinite(bandwidth) && bandwidth > 0))
      fail(fmt::format("link '{}' has bandwidth {} B/s: it must be positive and finite", link->get_name(), bandwidth));
    if (!(std::isfinite(latency) && latency >= 0))
      fail(fmt::format("link '{}' has latency {} s: it must be finite and not negative", link->get_name(), latency));
    if (latency > 0 && latency * latency_scale < kTimePrecision)
      fail(fmt::format("link '{}' has latency {} s{}: above 0 and below 1ns, SimGrid's time precision (give 0 or at "
                       "least 1ns)",
                       link->get_name(), latency * latency_scale, latency_scale != 1 ? " with --latency-scale" : ""));
    if (latency * latency_scale > kMaxLinkLatency)
      fail(fmt::format("link '{}' has latency {} s{}: more than a day", link->get_name(), latency * latency_scale,
                       latency_scale != 1 ? " with --latency-scale" : ""));
  }
  std::vector<std::pair<const sg4::Host*, const char*>> all;
  for (const sg4::Host* h : hosts.nodes)
    all.emplace_back(h, "node");
  for (const sg4::Host* h : hosts.clients)
    all.emplace_back(h, "client");
  for (const auto& [h, role] : all) {
    const double speed = h->get_speed();
    if (!(std::isfinite(speed) && speed > 0))
      fail(fmt::format("{} host '{}' has speed {} flop/s: it must be positive and finite", role, h->get_name(), speed));
  }
  if (hosts.nodes.empty())
    return;
  // SimGrid's Dijkstra routing loops for ever on some unreachable hosts: a
  // probe child gives up (SIGALRM) and says where.
  if (probe_step != nullptr)
    alarm(kRouteCheckSeconds);
  const auto check = [&](const sg4::Host* from, const char* from_role, const sg4::Host* to, const char* to_role) {
    set_step(fmt::format("finding the route from {} host '{}' to {} host '{}'", from_role, from->get_name(), to_role,
                         to->get_name()));
    const std::string problem = route_problem(from, to);
    if (!problem.empty())
      fail(fmt::format("{} host '{}' cannot reach {} host '{}' ({})", from_role, from->get_name(), to_role,
                       to->get_name(), problem));
  };
  if (all.size() <= kAllPairsHosts) {
    for (const sg4::Host* to : hosts.nodes)
      for (const auto& [from, role] : all) {
        check(from, role, to, "node");
        if (std::string_view(role) == "client")
          check(to, "node", from, role);
      }
    return;
  }
  // Routes from a host are one search from it (SimGrid caches a table per
  // source): node 0 to every host is one, every host to node 0 would be one
  // per host. So every host from node 0, and node 0 from a few of them, spread
  // over the file; the network checks every other route on its first use.
  const sg4::Host* hub = hosts.nodes.front();
  for (const auto& [h, role] : all)
    check(hub, "node", h, role);
  const std::size_t step =
      all.size() <= kHubBothWaysHosts ? 1 : (all.size() + kReverseSources - 1) / kReverseSources;
  for (std::size_t i = 0; i < all.size(); i += step)
    check(all[i].first, all[i].second, hub, "node");
  for (const auto& [h, role] : all)
    if (std::string_view(role) == "client" && step > 1 && hosts.clients.size() <= kReverseSources)
      check(h, role, hub, "node");
}

void probe_simgrid(const std::vector<std::string>& user_args, const std::string& platform, int nodes,
                   double latency_scale)
{
  for (const std::string& arg : user_args)
    if (const std::string why = refused_engine_arg(arg); !why.empty())
      throw std::invalid_argument(fmt::format("{}: {}", arg, why));
  // Each probe child writes its own tiny platform and removes it once read.
  for (const std::string& arg : user_args) {
    const Probe p = run_probe([&] {
      auto engine = create_engine({arg});
      const TinyPlatform tiny;
      const PlatformHosts hosts = load_platform(*engine, tiny.path());
      tiny.remove();
      tiny_simulation(*engine, hosts);
    });
    if (!p.ok)
      throw std::invalid_argument(fmt::format("{}: {}", arg, p.message));
  }
  if (platform.empty())
    return;
  const Probe p = run_probe([&] {
    auto engine = create_engine(user_args);
    PlatformHosts hosts = load_platform(*engine, platform);
    if (nodes > 0 && static_cast<std::size_t>(nodes) < hosts.nodes.size())
      hosts.nodes.resize(static_cast<std::size_t>(nodes));
    check_platform(platform, hosts, latency_scale);
  });
  if (!p.ok)
    throw PlatformError(p.message.starts_with("platform file '") || p.message.starts_with("cannot read platform file")
                            ? p.message
                            : fmt::format("platform file '{}': {}", platform, p.message));
}

}  // namespace replisim
