// Activities replisim starts itself, from SimGrid's maestro (transfers,
// executions, disk writes), and the one hook that tells their owner when each
// one ends. No actor waits on them: a message costs no context switch, and a
// transfer between two hosts depends on nothing but those hosts and the links
// between them (an actor carrying it would die with whatever host it sat on).
#pragma once
#include <functional>

#include <simgrid/s4u/Activity.hpp>

namespace replisim {

namespace sg4 = simgrid::s4u;

class ActivityListener {
public:
  // `ok`: the activity finished; false: it failed (a host or link on it went
  // off) or was cancelled.
  virtual void activity_ended(bool ok) = 0;

protected:
  ~ActivityListener() = default;
};

// Starts `activity` and tells `listener` when it ends. The caller keeps the
// pointer until then (SimGrid needs started activities alive). Activities of
// anybody else — a user's own actors next to replisim — are left alone.
void start_activity(const sg4::ActivityPtr& activity, ActivityListener& listener);

// Cancels an activity started with start_activity: its listener hears of it
// at once (not ok).
void cancel_activity(const sg4::ActivityPtr& activity);

// Runs `f` in maestro: at once when called there (before the engine runs,
// or from a callback), as a simcall from an actor. Activities replisim
// starts must be started there (see start_activity).
void in_maestro(const std::function<void()>& f);

// Lets go of the activities that ended; call once the engine has returned.
void release_ended_activities();

}  // namespace replisim
