// How the nodes of leaderless, chain and multi-leader learn that another is
// down: --failure-detector auto|oracle|gossip|timeout, --phi-convict-threshold
// (gossip) and --detector-timeout (timeout). One declaration for the three
// models, so that a sweep spec sets it for all of them.
#pragma once
#include <string>
#include <vector>

#include "experiments/core/models/model.hpp"
#include "protocols/common/timeout_detector.hpp"

#include "experiments/core/models/model_settings.hpp"
#include "experiments/core/models/param.hpp"

namespace replisim {

enum class DetectorKind { oracle, gossip, timeout };

extern const ChoiceParam kFailureDetector;
extern const NumberParam kPhiConvictThreshold;
extern const DurationParam kDetectorTimeout;

// The detector a model runs: `auto` is `under_faults` when a fault schedule
// is given (else the oracle: nothing can fail). A detector the model has no
// use for (`other`), and a flag of a detector not chosen, are refused with
// std::invalid_argument naming the flag.
DetectorKind detector_of(const ModelParams& params, const ModelSettings& settings, DetectorKind under_faults,
                         const char* model);

// summary.csv's detection_ms_p50 and detection_ms_max: the median (the lower
// middle of an even count) and the largest of `seconds` (each observer's time
// from a node's failure to its conviction), in ms; empty when there are none.
SummaryRow detection_columns(std::vector<Time> seconds);
// The same, of a timeout detector's convictions (null: the oracle, none).
SummaryRow detection_results(const TimeoutDetector* detector);

}  // namespace replisim
