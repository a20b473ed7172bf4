#include "experiments/core/run_progress.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "protocols/common/quantities.hpp"

namespace replisim {

namespace {
constexpr double kQuietFor = 2.0;  // wall seconds before the first line
constexpr double kRedrawEvery = 0.5;
}  // namespace

RunProgress::RunProgress(std::ostream& out, bool terminal, std::uint64_t ops)
    : out_(out), terminal_(terminal), ops_(ops)
{
}

void RunProgress::maybe_draw(Time now)
{
  const auto t = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(t - start_).count();
  if (elapsed < kQuietFor || std::chrono::duration<double>(t - last_).count() < kRedrawEvery)
    return;
  last_ = t;
  drawn_ = true;
  const double rate = static_cast<double>(done_) / elapsed;
  const std::string eta = rate > 0 ? format_duration(static_cast<double>(ops_ - std::min(done_, ops_)) / rate) : "--";
  fmt::print(out_, "\rreplisim run: {:.3f} s simulated, {}/{} ops ({:.0f}%), {} ops/s, ETA {}\x1b[K", now,
             grouped(done_), grouped(ops_), 100.0 * static_cast<double>(done_) / static_cast<double>(ops_),
             grouped(static_cast<std::uint64_t>(rate)), eta);
  out_.flush();
}

void RunProgress::end()
{
  if (drawn_)
    out_ << "\r\x1b[K";
  out_.flush();
}

}  // namespace replisim
