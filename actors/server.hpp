// A datastore node as a server on its own host: messages that arrive wait in
// the node's inbox, in arrival order, for one of its worker threads; a worker
// does the message's processing cost as a SimGrid execution on the node's
// host (so the host's speed and cores decide how long it takes, and threads
// beyond the cores share them), then runs the protocol's handler, then — with
// --sync-writes — writes what the handler made durable to the host's disk
// before the handler's messages leave. A hot leader therefore queues.
//
// Workers are slots of this server, not SimGrid actors: their work is a
// SimGrid execution or disk write started without a context switch (see
// activity.hpp). In a run that ends with its clients, a node's executions are
// made ahead by an executor actor of its own, which hears of their ends (see
// start_executor). Timers fire on time, outside the inbox: their
// work is the protocol's own bookkeeping, which a real node runs on a thread
// of its own.
//
// A paused node (a long garbage collection, a frozen VM: pause()) takes
// nothing from its inbox and fires no timer, and its work in progress is
// suspended; messages keep arriving. At resume() it takes what fell due in
// the order it fell due: each timer that fell due fires once (a Go ticker
// delivers at most one missed tick; every replisim protocol re-arms a
// periodic timer from the time it fires, so a heartbeat fires once, not once
// per missed period), and the messages that arrived before it go to the
// workers first, in arrival order.
#pragma once
#include <deque>
#include <list>
#include <functional>
#include <vector>

#include <simgrid/s4u/Activity.hpp>
#include <simgrid/s4u/Actor.hpp>

#include "actors/machine_driver.hpp"
#include "protocols/common/delay.hpp"
#include "protocols/common/fifo.hpp"
#include "protocols/common/rng.hpp"

namespace simgrid::s4u {
class Disk;
class Host;
}  // namespace simgrid::s4u

namespace replisim {

// How every node of a run works.
struct ServerSettings {
  int threads = 1;              // workers per node, unless the host's `threads` property says otherwise
  DelayModel service;           // --service: processing cost per message kind, as seconds on a 1 Gflop/s host
  bool sync_writes = false;     // --sync-writes: durable writes reach the disk before the messages leave
  std::uint64_t record_overhead_bytes = 4096;  // written per durable value, on top of the value itself
};

// What a node's workers did over the run.
struct NodeLoad {
  int threads = 1;
  double busy_s = 0;                 // worker-seconds spent on messages (execution and disk)
  std::uint64_t handled = 0;         // messages handled
  std::size_t max_queue_length = 0;  // most messages waiting in the inbox at once
};

class NodeServer final : public MachineDriver {
public:
  // `role_events` hears of every role change the node reports, `waited` of
  // every message a worker takes: the seconds it waited in the inbox (the
  // run core keeps them, with exact percentiles).
  NodeServer(NodeMachine& machine, NodeId self, sg4::Host* host, Network& network, TimerQueue& timers,
             const MessageSizes& sizes, Traffic& traffic, const ServerSettings& settings, int threads,
             std::uint64_t service_seed, std::function<void(const RoleEvent&)> role_events,
             std::function<void(double)> waited);

  void receive(Envelope&& message) override;
  std::uint64_t incarnation() const override { return incarnation_; }
  // The host went off: its inbox, its workers' work and its timers are lost,
  // and the machine keeps only its durable state.
  void crash();
  // The host is back: the machine resumes from its durable state.
  void recover();
  // Another node went down or came back (heard at resume when paused).
  void membership_changed();
  // The node stops handling anything until resume(), and loses nothing.
  void pause();
  void resume();
  bool paused() const { return paused_; }
  void timer_fired(std::uint64_t id, std::uint64_t ticket) override;
  // Nothing waiting, nothing at work: the node will send nothing unless asked.
  bool idle() const;
  // Cancels the work in progress (the run is over) and closes the books.
  void stop();
  const NodeLoad& load() const { return load_; }
  // Gives the node an executor actor (in a run whose end stops it: an actor
  // still waiting when SimGrid runs out of events would be reported as a
  // deadlock). SimGrid 3.32 files an execution under the actor that made it,
  // and searches that actor's list from end to end when the execution ends;
  // maestro's list holds every transfer in flight as well, so executions
  // made in maestro paid a search of all of them, twice per message with the
  // transfer's own. The executor makes each worker's next executions ahead,
  // filed in its own short list, and waits for them; maestro still starts
  // them when a worker takes a message, so nothing about their timing moves.
  void start_executor();

private:
  struct Worker final : ActivityListener {
    NodeServer* server = nullptr;
    enum class Phase : std::uint8_t { idle, computing, persisting } phase = Phase::idle;
    Envelope message;
    Time busy_since = 0;
    Time queued = 0;                 // the message's chain of waits, its own included
    std::vector<Envelope> outgoing;  // held until the disk write ends
    sg4::ActivityPtr activity;
    // Executions the executor made for this worker, in the order the worker
    // starts them (its executions run one after another); the first
    // `started` of them have been started.
    std::deque<sg4::ActivityPtr> made;
    std::size_t started = 0;
    void activity_ended(bool ok) override;
    void done();  // its activity finished
  };
  // A timer's step that must reach the disk before its messages leave.
  struct Flush final : ActivityListener {
    NodeServer* server = nullptr;
    std::vector<Envelope> outgoing;
    sg4::ActivityPtr activity;
    void activity_ended(bool ok) override;
  };
  struct Arrival {
    Envelope message;
    Time at;
  };
  // What fell due while the node was paused, in the order it fell due.
  struct Held {
    Time at;
    enum class Kind : std::uint8_t { timer, membership } kind;
    std::uint64_t id = 0;
    std::uint64_t ticket = 0;
  };

  void carry_out(Ready ready, Time queued) override;  // a timer's step
  void after_input() override;
  // Gives the worker messages from the inbox until one takes simulated time.
  void work(Worker& w);
  // Gives the worker the next message; true if it was handled at once.
  bool take(Worker& w);
  // Gives idle workers the messages that arrived before `t`, one at a time.
  void take_arrivals_before(Time t);
  // Suspends (or resumes) the work in progress.
  void suspend_work(bool suspend);
  // Runs the handler of the worker's message; false while its disk write runs.
  bool handle(Worker& w);
  void finish(Worker& w);
  sg4::ActivityPtr disk_write(std::uint32_t values) const;
  void run_executor();
  void stop_executor();

  NodeMachine& node_;
  std::function<void(const RoleEvent&)> role_events_;
  std::function<void(double)> waited_;
  std::uint64_t incarnation_ = 0;
  sg4::Host* host_;
  sg4::Disk* disk_ = nullptr;  // with --sync-writes
  const ServerSettings& settings_;
  Rng service_rng_;
  Fifo<Arrival> inbox_;
  std::vector<Worker> workers_;
  std::vector<Worker*> idle_;
  std::list<Flush> flushes_;  // a list: flushes never move, and none is allocated until needed
  NodeLoad load_;
  bool stopped_ = false;
  bool paused_ = false;
  bool executor_wanted_ = false;  // start_executor was called: again at recover()
  bool executor_stopping_ = false;
  sg4::ActorPtr executor_;
  std::vector<Held> held_;
  std::vector<std::function<void()>> ended_while_paused_;  // work that ended as the pause began
};

}  // namespace replisim
