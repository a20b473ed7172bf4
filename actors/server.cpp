#include "actors/server.hpp"

#include <algorithm>
#include <utility>

#include <simgrid/s4u/Disk.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Exec.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/Io.hpp>
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/Exception.hpp>

namespace replisim {

namespace {
constexpr double kReferenceFlops = 1e9;  // --service times are on a 1 Gflop/s host
double now() { return sg4::Engine::get_clock(); }
// A node whose workers are more than this waits on too many executions at
// once for an executor to pay: its executions are made in maestro.
constexpr std::size_t kMaxExecutorWorkers = 64;
// The executor waits and tells; the listeners it tells run in maestro.
constexpr unsigned kExecutorStackBytes = 256 * 1024;
bool ended(const sg4::ActivityPtr& a)
{
  const auto state = a->get_state();
  return state == sg4::Activity::State::FINISHED || state == sg4::Activity::State::CANCELED ||
         state == sg4::Activity::State::FAILED;
}
}  // namespace

NodeServer::NodeServer(NodeMachine& machine, NodeId self, sg4::Host* host, Network& network, TimerQueue& timers,
                       const MessageSizes& sizes, Traffic& traffic, const ServerSettings& settings, int threads,
                       std::uint64_t service_seed, std::function<void(const RoleEvent&)> role_events,
                       std::function<void(double)> waited)
    : MachineDriver(machine, Address::node(self), network, timers, sizes, traffic), node_(machine),
      role_events_(std::move(role_events)), waited_(std::move(waited)), host_(host), settings_(settings),
      service_rng_(service_seed), workers_(static_cast<std::size_t>(threads))
{
  if (settings.sync_writes && !host->get_disks().empty())
    disk_ = host->get_disks().front();
  load_.threads = threads;
  // Idle workers are taken from the back: worker 0 first.
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    it->server = this;
    idle_.push_back(&*it);
  }
}

void NodeServer::start_executor()
{
  executor_wanted_ = true;
  if (settings_.service.empty() || !host_->is_on() || workers_.size() > kMaxExecutorWorkers || executor_)
    return;
  executor_stopping_ = false;
  executor_ = sg4::Actor::init("executor", host_)->set_stacksize(kExecutorStackBytes)->start([this] { run_executor(); });
}

void NodeServer::run_executor()
{
  const auto make = [](Worker& w) {
    while (w.made.size() < w.started + 2)  // one more for the message a worker takes as it hears of the last
      w.made.push_back(sg4::Exec::init());
  };
  std::vector<sg4::ActivityPtr> first(workers_.size());
  for (;;) {
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      make(workers_[i]);
      first[i] = workers_[i].made.front();
    }
    try {
      sg4::Activity::wait_any(first);  // its end reached the listener (activity.cpp)
    } catch (const simgrid::Exception&) {
      // cancelled (a crash, the end of the run): the listener heard of it then
    }
    if (executor_stopping_)
      break;
    for (Worker& w : workers_)
      while (w.started > 0 && ended(w.made.front())) {
        w.made.pop_front();
        --w.started;
      }
  }
  for (Worker& w : workers_) {
    w.made.clear();
    w.started = 0;
  }
}

void NodeServer::stop_executor()
{
  if (!executor_)
    return;
  // The executor ends itself once one of the executions it waits for ends: a
  // worker's running one, which stop() cancelled, or else an empty one
  // started here. (Killed, it could be woken twice in one round.)
  executor_stopping_ = true;
  executor_ = nullptr;
  for (Worker& w : workers_)
    if (w.started == 0 && !w.made.empty()) {
      boost::static_pointer_cast<sg4::Exec>(w.made.front())->set_flops_amount(0)->set_host(host_)->start();
      return;
    }
}

void NodeServer::receive(Envelope&& message)
{
  if (stopped_)
    return;
  ++traffic_.msgs_received;
  inbox_.push_back({std::move(message), now()});
  if (idle_.empty() || paused_) {
    load_.max_queue_length = std::max(load_.max_queue_length, inbox_.size());
    return;
  }
  Worker& w = *idle_.back();
  idle_.pop_back();
  work(w);
}

void NodeServer::work(Worker& w)
{
  while (!inbox_.empty() && !stopped_ && !paused_)
    if (!take(w))
      return;
  w.phase = Worker::Phase::idle;
  idle_.push_back(&w);
}

bool NodeServer::take(Worker& w)
{
  Arrival next = std::move(inbox_.front());
  inbox_.pop_front();
  const Time t = now();
  waited_(t - next.at);
  ++load_.handled;
  w.message = std::move(next.message);
  w.busy_since = t;
  w.queued = w.message.queued + (t - next.at);
  const double cost = settings_.service.sample(kind_of(w.message.message), service_rng_);
  if (cost > 0) {
    w.phase = Worker::Phase::computing;
    const sg4::ActivityPtr exec = w.started < w.made.size() ? w.made[w.started++] : sg4::Exec::init();
    w.activity = boost::static_pointer_cast<sg4::Exec>(exec)->set_flops_amount(cost * kReferenceFlops)->set_host(host_);
    start_activity(w.activity, w);
    return false;
  }
  if (!handle(w))
    return false;
  load_.busy_s += now() - w.busy_since;
  return true;
}

void NodeServer::take_arrivals_before(Time t)
{
  while (!idle_.empty() && !inbox_.empty() && inbox_.front().at < t && !stopped_ && !paused_) {
    Worker& w = *idle_.back();
    idle_.pop_back();
    if (take(w)) {
      w.phase = Worker::Phase::idle;
      idle_.push_back(&w);
    }
  }
}

bool NodeServer::handle(Worker& w)
{
  Ready ready = machine_.step(w.message, now());
  after_input();
  schedule(ready);
  if (disk_ != nullptr && ready.persist > 0) {
    w.phase = Worker::Phase::persisting;
    w.outgoing = std::move(ready.messages);
    w.activity = disk_write(ready.persist);
    start_activity(w.activity, w);
    return false;
  }
  send(ready.messages, w.queued);
  return true;
}

void NodeServer::Worker::activity_ended(bool ok)
{
  if (ok && server->paused_ && !server->stopped_) {
    // It ended as the pause began: what follows it runs at resume.
    activity = nullptr;
    server->ended_while_paused_.emplace_back([this] { done(); });
    return;
  }
  const sg4::ActivityPtr ended = std::move(activity);
  if (!ok || server->stopped_)
    return;  // the host went off, or the run is over: the work is lost
  done();
}

void NodeServer::Worker::done()
{
  activity = nullptr;
  if (phase == Phase::computing) {
    if (!server->handle(*this))
      return;
  } else {
    server->send(outgoing, queued);
    outgoing.clear();
  }
  server->finish(*this);
}

void NodeServer::finish(Worker& w)
{
  load_.busy_s += now() - w.busy_since;
  w.phase = Worker::Phase::idle;
  work(w);
}

sg4::ActivityPtr NodeServer::disk_write(std::uint32_t values) const
{
  const std::uint64_t bytes = values * (sizes_.value_bytes + settings_.record_overhead_bytes);
  return disk_->io_init(static_cast<sg_size_t>(bytes), sg4::Io::OpType::WRITE);
}

void NodeServer::carry_out(Ready ready, Time queued)
{
  schedule(ready);
  if (disk_ == nullptr || ready.persist == 0) {
    send(ready.messages, queued);
    return;
  }
  auto free = std::find_if(flushes_.begin(), flushes_.end(), [](const Flush& f) { return !f.activity; });
  Flush& f = free != flushes_.end() ? *free : flushes_.emplace_back();
  f.server = this;
  f.outgoing = std::move(ready.messages);
  f.activity = disk_write(ready.persist);
  start_activity(f.activity, f);
}

void NodeServer::Flush::activity_ended(bool ok)
{
  if (ok && server->paused_ && !server->stopped_) {
    // Its messages leave at resume (no step can take this flush meanwhile).
    activity = nullptr;
    server->ended_while_paused_.emplace_back([this] {
      server->send(outgoing, 0);
      outgoing.clear();
    });
    return;
  }
  const sg4::ActivityPtr done = std::move(activity);
  if (ok && !server->stopped_)
    server->send(outgoing, 0);
  outgoing.clear();
}

void NodeServer::after_input()
{
  for (const RoleEvent& e : node_.take_role_events())
    if (role_events_)
      role_events_(e);
}

void NodeServer::crash()
{
  ++incarnation_;  // messages on their way to the old incarnation are lost
  inbox_.clear();
  paused_ = false;  // the paused process is gone; it comes back unpaused
  held_.clear();
  ended_while_paused_.clear();
  const Time t = now();
  idle_.clear();
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    Worker& w = *it;
    if (w.phase != Worker::Phase::idle)
      load_.busy_s += t - w.busy_since;
    if (w.activity)
      cancel_activity(w.activity);  // its host is off: lost
    w.activity = nullptr;
    w.outgoing.clear();
    w.phase = Worker::Phase::idle;
    w.made.clear();
    w.started = 0;
    idle_.push_back(&w);
  }
  executor_ = nullptr;  // killed with its host
  for (Flush& f : flushes_) {
    if (f.activity)
      cancel_activity(f.activity);
    f.activity = nullptr;
    f.outgoing.clear();
  }
  forget_timers();
  node_.crash(t);
  after_input();
}

void NodeServer::recover()
{
  if (executor_wanted_)
    start_executor();
  carry_out(node_.recover(now()), 0);
  after_input();
}

void NodeServer::membership_changed()
{
  if (paused_) {
    held_.push_back({now(), Held::Kind::membership});
    return;
  }
  carry_out(node_.membership_changed(now()), 0);
  after_input();
}

void NodeServer::pause()
{
  if (paused_ || stopped_)
    return;
  paused_ = true;
  suspend_work(true);
}

void NodeServer::suspend_work(bool suspend)
{
  for (Worker& w : workers_)
    if (w.activity)
      suspend ? w.activity->suspend() : w.activity->resume();
  for (Flush& f : flushes_)
    if (f.activity)
      suspend ? f.activity->suspend() : f.activity->resume();
}

void NodeServer::timer_fired(std::uint64_t id, std::uint64_t ticket)
{
  if (paused_)
    held_.push_back({now(), Held::Kind::timer, id, ticket});
  else
    MachineDriver::timer_fired(id, ticket);
}

void NodeServer::resume()
{
  if (!paused_ || stopped_)
    return;
  suspend_work(false);
  // Work that ended as the pause began is done first (still paused, so that
  // its worker takes no message out of turn).
  for (auto& ended : std::exchange(ended_while_paused_, {}))
    ended();
  paused_ = false;
  // In the order things fell due: the messages that arrived before a timer
  // fell due are taken before it fires, and a timer they moved or cancelled
  // does not fire (MachineDriver checks its ticket).
  for (const Held& h : std::exchange(held_, {})) {
    take_arrivals_before(h.at);
    if (stopped_)
      return;
    if (h.kind == Held::Kind::timer)
      MachineDriver::timer_fired(h.id, h.ticket);
    else
      membership_changed();
  }
  take_arrivals_before(kNever);
}

bool NodeServer::idle() const
{
  return !paused_ && inbox_.empty() && idle_.size() == workers_.size() &&
         std::none_of(flushes_.begin(), flushes_.end(), [](const Flush& f) { return bool(f.activity); });
}

void NodeServer::stop()
{
  stopped_ = true;
  ended_while_paused_.clear();
  for (Worker& w : workers_)
    if (w.phase != Worker::Phase::idle) {
      load_.busy_s += now() - w.busy_since;
      if (w.activity)
        cancel_activity(w.activity);
    }
  for (Flush& f : flushes_)
    if (f.activity)
      cancel_activity(f.activity);
  stop_executor();
}

}  // namespace replisim
