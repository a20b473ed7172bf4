#include "actors/activity.hpp"

#include <vector>

#include <simgrid/s4u/Actor.hpp>
#include <simgrid/simix.hpp>

namespace replisim {

namespace {

// SimGrid still uses an activity after telling of its end (Activity::complete
// goes on, then the kernel's post()), so the listener's own reference must not
// be the last one then: the hook holds one more until the next completion, by
// which time SimGrid is done with the previous activity.
std::vector<sg4::ActivityPtr>& just_ended()
{
  static std::vector<sg4::ActivityPtr> held;
  return held;
}
// A cancelled activity ends at once for its listener, but the kernel posts
// its end later: held until the engine has returned.
std::vector<sg4::ActivityPtr>& cancelled()
{
  static std::vector<sg4::ActivityPtr> held;
  return held;
}

// A slot of SimGrid's per-activity extensions: the listener, owned elsewhere
// (the no-op deleter), found by index rather than by a lookup per completion.
const simgrid::xbt::Extension<sg4::Activity, ActivityListener>& listener_slot()
{
  static const auto slot = [] {
    const auto s = sg4::Activity::extension_create<ActivityListener>([](void*) {});
    sg4::Activity::on_completion_cb([s](const sg4::Activity& done) {
      auto& a = const_cast<sg4::Activity&>(done);
      ActivityListener* listener = a.extension(s);
      if (listener == nullptr)
        return;  // not replisim's, or already told (a cancelled activity can end twice)
      just_ended().clear();
      just_ended().emplace_back(&a);
      a.extension_set(s, static_cast<ActivityListener*>(nullptr), false);
      const bool ok = a.get_state() == sg4::Activity::State::FINISHED;
      // An executor actor (server.hpp) tells of its executions' ends from
      // its own context: the listener runs in maestro all the same.
      in_maestro([listener, ok] { listener->activity_ended(ok); });
    });
    return s;
  }();
  return slot;
}

}  // namespace

void start_activity(const sg4::ActivityPtr& activity, ActivityListener& listener)
{
  activity->extension_set(listener_slot(), &listener, false);
  activity->vetoable_start();
}

void cancel_activity(const sg4::ActivityPtr& activity)
{
  cancelled().push_back(activity);
  activity->cancel();
}

void in_maestro(const std::function<void()>& f)
{
  if (sg4::Actor::is_maestro())
    f();
  else
    simgrid::kernel::actor::simcall_answered(f);
}

void release_ended_activities()
{
  just_ended().clear();
  cancelled().clear();
}

}  // namespace replisim
