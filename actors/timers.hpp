// Deadlines of every state machine and every delayed message of a run, in one
// queue behind one SimGrid kernel timer (armed at the earliest deadline), so
// that no actor sleeps per machine. Deadlines fire in time order, and in the
// order they were set when equal.
#pragma once
#include <cstdint>
#include <queue>
#include <vector>

#include "protocols/common/types.hpp"

namespace simgrid::kernel::timer {
class Timer;
}

namespace replisim {

class TimerListener {
public:
  virtual void timer_fired(std::uint64_t tag, std::uint64_t ticket) = 0;

protected:
  ~TimerListener() = default;
};

class TimerQueue {
public:
  TimerQueue() = default;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;
  ~TimerQueue();

  // Calls listener.timer_fired(tag, ticket) at `deadline` (simulated seconds),
  // and returns the ticket: a number no other deadline of this queue has, so
  // that a listener can tell a deadline it has since moved or cancelled
  // (cancellation is the listener's: it ignores the stale ticket).
  std::uint64_t set(Time deadline, TimerListener& listener, std::uint64_t tag);

  // Nothing fires any more: the run is over.
  void stop();

  // The earliest deadline set (one since cancelled by its listener
  // included); kNever when none is.
  Time next_deadline() const { return queue_.empty() ? kNever : queue_.top().deadline; }

private:
  struct Entry {
    Time deadline;
    std::uint64_t ticket;
    TimerListener* listener;
    std::uint64_t tag;
    bool operator>(const Entry& other) const
    {
      return deadline != other.deadline ? deadline > other.deadline : ticket > other.ticket;
    }
  };
  void arm();
  void fire_due();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::uint64_t next_ticket_ = 1;
  simgrid::kernel::timer::Timer* armed_ = nullptr;
  Time armed_at_ = kNever;
  bool stopped_ = false;
};

}  // namespace replisim
