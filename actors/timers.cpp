#include "actors/timers.hpp"

#include <simgrid/kernel/Timer.hpp>

namespace replisim {

using simgrid::kernel::timer::Timer;

TimerQueue::~TimerQueue() { stop(); }

std::uint64_t TimerQueue::set(Time deadline, TimerListener& listener, std::uint64_t tag)
{
  const std::uint64_t ticket = next_ticket_++;
  if (stopped_)
    return ticket;
  queue_.push({deadline, ticket, &listener, tag});
  if (deadline < armed_at_)
    arm();
  return ticket;
}

void TimerQueue::arm()
{
  if (armed_ != nullptr)
    armed_->remove();
  armed_ = nullptr;
  armed_at_ = queue_.empty() ? kNever : queue_.top().deadline;
  if (!queue_.empty())
    armed_ = Timer::set(armed_at_, [this] { fire_due(); });
}

void TimerQueue::fire_due()
{
  armed_ = nullptr;  // SimGrid deletes a timer once it has fired
  // Every deadline up to the one armed for, rather than up to the clock: a
  // rounding error must not hold one back.
  const Time due = armed_at_;
  while (!stopped_ && !queue_.empty() && queue_.top().deadline <= due) {
    const Entry e = queue_.top();
    queue_.pop();
    e.listener->timer_fired(e.tag, e.ticket);
  }
  if (!stopped_)
    arm();
}

void TimerQueue::stop()
{
  stopped_ = true;
  if (armed_ != nullptr)
    armed_->remove();
  armed_ = nullptr;
  armed_at_ = kNever;
  queue_ = {};
}

}  // namespace replisim
