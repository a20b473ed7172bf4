// The sweep's progress line on stderr: jobs done/total, failed, running, ETA.
// On a terminal one line redrawn in place (carriage return); otherwise a
// plain line per finished job, for logs.
#pragma once
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace replisim::sweep {

class Progress {
public:
  // `total` jobs in this sweep (or shard), `done` and `failed` of them
  // already committed by an earlier, interrupted run.
  Progress(std::ostream& out, bool terminal, std::size_t total, std::size_t done, std::size_t failed);

  void job_started() { ++running_; }
  void job_finished(bool failed);
  void job_lost() { --running_; }         // interrupted: it will run again
  void note(const std::string& message);  // a line of its own, e.g. a failed job
  // On a terminal, redraws the line (the ETA moves); otherwise prints it
  // when a job has finished since the last one.
  void show();
  void end();                             // leaves the line as it is

  std::string line() const;

private:
  void draw();

  std::ostream& out_;
  bool terminal_;
  std::size_t total_;
  std::size_t done_;
  std::size_t failed_;
  std::size_t running_ = 0;
  std::size_t done_here_ = 0;  // finished by this process: the ETA's rate
  bool changed_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace replisim::sweep
