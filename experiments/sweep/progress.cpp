#include "experiments/sweep/progress.hpp"

#include "protocols/common/quantities.hpp"

#include <cmath>

#include <fmt/format.h>

namespace replisim::sweep {

Progress::Progress(std::ostream& out, bool terminal, std::size_t total, std::size_t done, std::size_t failed)
    : out_(out), terminal_(terminal), total_(total), done_(done), failed_(failed)
{
}

void Progress::job_finished(bool failed)
{
  --running_;
  ++done_;
  ++done_here_;
  failed_ += failed ? 1 : 0;
  changed_ = true;
}

void Progress::note(const std::string& message)
{
  if (terminal_)
    out_ << "\r\x1b[K";
  out_ << message << "\n";
  if (terminal_)
    draw();
  else
    out_.flush();
}

void Progress::show()
{
  if (terminal_ || changed_)
    draw();
  changed_ = false;
}

void Progress::end()
{
  if (terminal_)
    out_ << "\n";
  out_.flush();
}

std::string Progress::line() const
{
  std::string eta = "--";
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (done_ >= total_)
    eta = "0s";
  else if (done_here_ > 0)
    eta = format_duration(static_cast<double>(total_ - done_) * elapsed / static_cast<double>(done_here_));
  return fmt::format("replisim sweep: {}/{} done, {} failed, {} running, ETA {}", done_, total_, failed_, running_, eta);
}

void Progress::draw()
{
  if (terminal_)
    out_ << "\r" << line() << "\x1b[K";
  else
    out_ << line() << "\n";
  out_.flush();
}


}  // namespace replisim::sweep
