#include "experiments/sweep/runner.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <sched.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/output/output_file.hpp"
#include "experiments/sweep/child.hpp"
#include "experiments/sweep/jobs.hpp"
#include "experiments/sweep/progress.hpp"
#include "experiments/sweep/rows.hpp"
#include "experiments/sweep/sweep_dir.hpp"

namespace replisim::sweep {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Blocks the signals the sweep waits for (children ending, being stopped)
// for as long as it lives; children get the mask from before.
class BlockedSignals {
public:
  BlockedSignals()
  {
    sigemptyset(&watched_);
    for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP})
      sigaddset(&watched_, sig);
    sigprocmask(SIG_BLOCK, &watched_, &before_);
  }
  ~BlockedSignals() { sigprocmask(SIG_SETMASK, &before_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

  // The next watched signal, or 0 after `timeout`.
  int wait(std::chrono::milliseconds timeout) const
  {
    const timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1000000};
    const int sig = sigtimedwait(&watched_, nullptr, &ts);
    return sig < 0 ? 0 : sig;
  }
  const sigset_t& before() const { return before_; }

private:
  sigset_t watched_;
  sigset_t before_;
};

// Runs the jobs of todo, building each from its index when it starts: a
// sweep never holds more jobs than it has running.
class Sweep {
public:
  Sweep(const SweepOptions& options, const Spec& spec, const SweepDir& dir, Rows rows, std::vector<std::size_t> todo,
        Progress& progress)
      : options_(options), spec_(spec), dir_(dir), columns_(param_columns(spec)), rows_(std::move(rows)),
        todo_(std::move(todo)), progress_(progress)
  {
  }

  // Runs every job of todo_; returns the signal that stopped the sweep, or 0.
  int run(std::size_t parallel)
  {
    std::size_t next = 0;
    while (next < todo_.size() || !running_.empty()) {
      while (running_.size() < parallel && next < todo_.size())
        start(job_at(spec_, todo_[next++]));
      progress_.show();
      const int sig = signals_.wait(std::chrono::milliseconds(1000));
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        stop();
        return sig;
      }
      reap();
      write_summary(false);
    }
    progress_.show();
    write_summary(true);
    return 0;
  }

  std::size_t lost() const { return lost_; }
  const Rows& rows() const { return rows_; }

private:
  void start(Job job)
  {
    const fs::path out = dir_.job(job.index);
    fs::remove_all(out);  // what an interrupted run of this job left
    fs::create_directories(out);
    std::vector<std::string> args{"run"};
    for (std::string& a : run_arguments(job))
      args.push_back(std::move(a));
    args.push_back("--out=" + out.string());
    args.insert(args.end(), options_.engine_args.begin(), options_.engine_args.end());
    running_.emplace(start_child(options_.executable, args, out / "stderr.txt", signals_.before()), std::move(job));
    progress_.job_started();
  }

  void reap()
  {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      const auto found = running_.find(pid);
      if (found == running_.end())
        continue;
      const Job job = std::move(found->second);
      running_.erase(found);
      finish(job, status);
    }
  }

  void finish(const Job& job, int status)
  {
    const fs::path out = dir_.job(job.index);
    if (interrupted(status)) {  // stopped from outside: not a result, it runs again next time
      ++lost_;
      progress_.job_lost();
      fs::remove_all(out);
      return;
    }
    std::string error = exit_error(status, read_file(out / "stderr.txt"));
    std::string summary;
    if (error.empty()) {
      summary = read_file(out / "summary.csv");
      if (summary.empty())
        error = "the run wrote no summary.csv";
    }
    Row row;
    try {
      row = make_row(columns_, job, error.empty() ? "ok" : "failed", error, error.empty() ? summary : "",
                     options_.stamp);
    } catch (const std::runtime_error& e) {
      error = e.what();
      row = make_row(columns_, job, "failed", error, "", options_.stamp);
    }
    commit_row(dir_.rows(), job.index, row);
    rows_[job.index] = std::move(row);
    std::error_code ignored;
    if (!options_.keep_ops)
      fs::remove_all(out);
    else if (fs::file_size(out / "stderr.txt", ignored) == 0)
      fs::remove(out / "stderr.txt", ignored);
    if (!error.empty())
      progress_.note(fmt::format("replisim sweep: job {} ({}) failed: {}", job.index, describe(job), error));
    progress_.job_finished(!error.empty());
  }

  // Kills the running jobs (their rows are not written; they run next time).
  void stop()
  {
    for (const auto& [pid, job] : running_)
      kill(pid, SIGKILL);
    for (const auto& [pid, job] : running_) {
      waitpid(pid, nullptr, 0);
      fs::remove_all(dir_.job(job.index));
    }
    running_.clear();
    write_summary(true);
  }

  // summary.csv from the rows so far: at most once a second while running.
  void write_summary(bool now)
  {
    const auto time = std::chrono::steady_clock::now();
    if (!now && (rows_.size() == summary_rows_ || time - summary_time_ < std::chrono::seconds(1)))
      return;
    OutputFile file(dir_.path(), "summary.csv");
    file.stream() << summary_text(rows_);
    file.commit();
    summary_rows_ = rows_.size();
    summary_time_ = time;
  }

  const SweepOptions& options_;
  const Spec& spec_;
  const SweepDir& dir_;
  std::vector<std::string> columns_;
  Rows rows_;
  std::vector<std::size_t> todo_;  // job indices
  Progress& progress_;
  BlockedSignals signals_;
  std::map<pid_t, Job> running_;
  std::size_t lost_ = 0;
  std::size_t summary_rows_ = static_cast<std::size_t>(-1);
  std::chrono::steady_clock::time_point summary_time_{};
};

}  // namespace

int available_cores()
{
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online) : 1;
}

int check_sweep(const SweepOptions& options, const std::vector<std::string>& run_flags)
{
  if (options.jobs < 0)
    throw std::invalid_argument("--jobs: must be at least 1");
  const Shard shard = parse_shard(options.shard);
  std::string text;
  const Spec spec = read_spec_file(options.spec, run_flags, &text);  // refuses more than kMaxJobs
  const std::size_t jobs = *job_count(spec);
  check_sweep_dir(options.out, {fingerprint(spec, options.engine_args), jobs}, text);

  // The points of the jobs this shard holds, and how many of those jobs a
  // previous run finished already.
  const std::size_t seeds = spec.seeds.size();
  std::vector<std::size_t> points;
  std::size_t total = 0;
  std::size_t done = 0;
  const Rows rows = load_rows(fs::path(options.out) / "rows", false);
  for (const std::size_t index : shard.indices(jobs)) {
    ++total;
    const auto found = rows.find(index);
    done += found != rows.end() && !(options.retry_failed && found->second.status() == "failed") ? 1 : 0;
    if (points.empty() || points.back() != index / seeds)
      points.push_back(index / seeds);
  }
  const int parallel = options.jobs > 0 ? options.jobs : available_cores();
  const auto args_of = [&](std::size_t i) {
    std::vector<std::string> args = run_arguments(job_at(spec, points[i] * seeds));
    args.insert(args.end(), options.engine_args.begin(), options.engine_args.end());
    return args;
  };
  const std::vector<CheckFailure> failures =
      check_forked(points.size(), args_of, options.check_run, static_cast<std::size_t>(parallel));
  const std::size_t point_total = *point_count(spec);
  if (!failures.empty()) {
    const CheckFailure& first = failures.front();
    const Job job = job_at(spec, points[first.index] * seeds);
    std::string axes;  // the point's axis values: its fixed flags are every point's
    for (std::size_t a = 0; a < spec.axes.size() && a < job.params.size(); ++a)
      axes += fmt::format("{}{}={}", a == 0 ? "" : " ", job.params[a].flag, job.params[a].value);
    throw std::invalid_argument(fmt::format(
        "{}: point {} of {}{} cannot run: {}{}", options.spec, points[first.index], point_total,
        axes.empty() ? "" : " (" + axes + ")", first.error,
        failures.size() > 1 ? fmt::format(" (and {} more of the {} points checked)", failures.size() - 1, points.size())
                            : ""));
  }
  std::cout << fmt::format(
      "replisim sweep: dry run: {}: {} jobs ({}{} point{} × {} seed{}){}, {} at once, into {}; the run flags of {} "
      "point{} are valid: ok\n",
      options.spec, total, shard.n > 1 ? fmt::format("shard {}/{} of {} jobs: ", shard.k, shard.n, jobs) : "",
      point_total, point_total == 1 ? "" : "s", seeds, seeds == 1 ? "" : "s",
      done > 0 ? fmt::format(", {} already done", done) : "", parallel, options.out,
      points.size() == 1 ? "its" : fmt::format("all {}", points.size()), points.size() == 1 ? "" : "s");
  return 0;
}

int run_sweep(const SweepOptions& options, const std::vector<std::string>& run_flags)
{
  if (options.dry_run)
    return check_sweep(options, run_flags);
  if (options.jobs < 0)
    throw std::invalid_argument("--jobs: must be at least 1");
  const Shard shard = parse_shard(options.shard);
  std::string text;
  const Spec spec = read_spec_file(options.spec, run_flags, &text);  // refuses more than kMaxJobs
  const std::size_t jobs = *job_count(spec);
  const SweepDir dir(options.out, {fingerprint(spec, options.engine_args), jobs}, text);

  Rows rows = load_rows(dir.rows(), true);
  std::vector<std::size_t> todo;
  std::size_t total = 0;
  std::size_t done = 0;
  std::size_t failed_before = 0;
  for (const std::size_t index : shard.indices(jobs)) {
    ++total;
    const auto found = rows.find(index);
    if (found != rows.end() && !(options.retry_failed && found->second.status() == "failed")) {
      ++done;
      failed_before += found->second.status() == "ok" ? 0 : 1;
    } else {
      todo.push_back(index);
    }
  }

  const int parallel = options.jobs > 0 ? options.jobs : available_cores();
  Progress progress(std::cerr, isatty(STDERR_FILENO) != 0, total, done, failed_before);
  progress.note(fmt::format("replisim sweep: {}: {} jobs{}, {} at once, into {}{}", options.spec, total,
                            shard.n > 1 ? fmt::format(" (shard {}/{} of {})", shard.k, shard.n, jobs) : "",
                            parallel, options.out,
                            done > 0 ? fmt::format("; {} already done, running the other {}", done, todo.size()) : ""));
  Sweep sweep(options, spec, dir, std::move(rows), std::move(todo), progress);
  const int stopped_by = sweep.run(static_cast<std::size_t>(parallel));
  progress.end();

  std::size_t ok = 0;
  std::size_t finished = 0;
  for (const auto& [index, row] : sweep.rows())
    if (shard.holds(index)) {
      ++finished;
      ok += row.status() == "ok" ? 1 : 0;
    }
  const std::size_t failed = finished - ok;
  if (stopped_by != 0) {
    std::cerr << fmt::format("replisim sweep: stopped by SIG{}: {} of {} jobs done; run the same command again to finish\n",
                             sigabbrev_np(stopped_by) != nullptr ? sigabbrev_np(stopped_by) : "?", finished, total);
    return 128 + stopped_by;
  }
  std::error_code ignored;
  fs::remove(dir.points(), ignored);  // only when empty: no --keep-ops
  std::cerr << fmt::format("replisim sweep: {} jobs: {} ok, {} failed{}; wrote {}\n", total, ok, failed,
                           sweep.lost() > 0 ? fmt::format(", {} interrupted (run again to finish them)", sweep.lost()) : "",
                           dir.summary().string());
  return failed > 0 || sweep.lost() > 0 ? 1 : 0;
}

}  // namespace replisim::sweep
