#include "protocols/kafka/controller_finder.hpp"

#include <algorithm>

namespace replisim {

void ControllerFinder::start(Time now)
{
  controller_ = 0;
  heard_ = answered_ = now;
  confirmed_ = true;
  registered_ = true;
  restarted_ = false;
  silent_.clear();
  decisions_ = 0;
}

bool ControllerFinder::restart(Time now)
{
  restarted_ = true;
  silent_.clear();
  return turn_to((self_ + 1) % nodes_, now) && lower_ids_silent();
}

bool ControllerFinder::heartbeat_due(Time now)
{
  if (controller_ == self_ || now - heard_ < session_timeout_)
    return false;
  if (now - answered_ >= session_timeout_)
    silent_.push_back(controller_);
  NodeId next = (controller_ + 1) % nodes_;
  if (next == self_ && !lower_ids_silent())
    next = (next + 1) % nodes_;
  return turn_to(next, now);
}

bool ControllerFinder::on_reply(NodeId from, const BrokerHeartbeatReply& m, Time now)
{
  if (m.controller == from) {
    controller_ = from;
    heard_ = answered_ = now;
    confirmed_ = true;
    registered_ = m.registered;
    restarted_ = restarted_ && !m.registered;
    silent_.clear();
    return false;
  }
  if (from != controller_)
    return false;
  answered_ = now;
  if (confirmed_)
    return false;  // sent before it took over: it answers as the controller since
  const bool found_silent = std::find(silent_.begin(), silent_.end(), m.controller) != silent_.end();
  if (m.controller == kNoNode || found_silent)
    return false;
  return turn_to(m.controller, now);
}

void ControllerFinder::received(NodeId from, const LeaderAndIsr& m)
{
  if (from == controller_ && (m.full || m.sequence == decisions_ + 1))
    decisions_ = std::max(decisions_, m.sequence);
}

void ControllerFinder::took_over()
{
  controller_ = self_;
  confirmed_ = true;
  registered_ = true;
  restarted_ = false;
  silent_.clear();
}

void ControllerFinder::resigned(Time now)
{
  silent_.clear();
  turn_to((self_ + 1) % nodes_, now);
}

bool ControllerFinder::turn_to(NodeId node, Time now)
{
  controller_ = node;
  heard_ = answered_ = now;
  confirmed_ = false;
  registered_ = false;
  decisions_ = 0;
  return node == self_;
}

bool ControllerFinder::lower_ids_silent() const
{
  for (NodeId n = 0; n < self_; ++n)
    if (std::find(silent_.begin(), silent_.end(), n) == silent_.end())
      return false;
  return true;
}

}  // namespace replisim
