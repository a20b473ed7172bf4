#include "experiments/core/models/failure_detector.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace replisim {

const ChoiceParam kFailureDetector{{
    .name = "failure-detector",
    .default_value = "auto",
    .help = "how nodes learn another is down: gossip (leaderless: Cassandra's gossip every second and phi-accrual "
            "conviction), timeout (chain: the master; multi-leader: each leader, after --detector-timeout without "
            "a heartbeat), oracle (every node at once: an idealisation) or auto (gossip or timeout when a fault "
            "schedule is given, else oracle)",
    .choices = {"auto", "oracle", "gossip", "timeout"},
}};

const NumberParam kPhiConvictThreshold{{
    .name = "phi-convict-threshold",
    .default_value = "8",
    .help = "gossip detector: convict an endpoint when phi = (1/ln 10) * silence / mean interval exceeds this "
            "(Cassandra's phi_convict_threshold)",
    .min = 1,
    .max = 100,
}};

const DurationParam kDetectorTimeout{{
    .name = "detector-timeout",
    .default_value = "3s",
    .help = "timeout detector: a node is convicted this long after its last heartbeat (one a second)",
    .min = 1e-3,
    .max = 86'400,
}};

DetectorKind detector_of(const ModelParams& params, const ModelSettings& settings, DetectorKind under_faults,
                         const char* model)
{
  const std::string& text = params[kFailureDetector];
  DetectorKind kind = DetectorKind::oracle;
  if (text == "auto")
    kind = settings.faults ? under_faults : DetectorKind::oracle;
  else if (text == "gossip")
    kind = DetectorKind::gossip;
  else if (text == "timeout")
    kind = DetectorKind::timeout;
  if (kind != DetectorKind::oracle && kind != under_faults)
    throw std::invalid_argument(fmt::format("--failure-detector: {} has no {} detector (oracle or {})", model, text,
                                            under_faults == DetectorKind::gossip ? "gossip" : "timeout"));
  if (params.given(kPhiConvictThreshold) && kind != DetectorKind::gossip)
    throw std::invalid_argument("--phi-convict-threshold: applies to --failure-detector gossip (leaderless; the "
                                "default when --faults is given)");
  if (params.given(kDetectorTimeout) && kind != DetectorKind::timeout)
    throw std::invalid_argument("--detector-timeout: applies to --failure-detector timeout (chain, multi-leader; the "
                                "default when --faults is given)");
  return kind;
}

SummaryRow detection_columns(std::vector<Time> seconds)
{
  if (seconds.empty())
    return {{"detection_ms_p50", ""}, {"detection_ms_max", ""}};
  std::sort(seconds.begin(), seconds.end());
  return {{"detection_ms_p50", fmt::format("{:.3f}", seconds[(seconds.size() - 1) / 2] * 1e3)},
          {"detection_ms_max", fmt::format("{:.3f}", seconds.back() * 1e3)}};
}

SummaryRow detection_results(const TimeoutDetector* detector)
{
  return detection_columns(detector != nullptr ? detector->detections() : std::vector<Time>{});
}

}  // namespace replisim
