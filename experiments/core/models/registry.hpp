// The replication models replisim knows, each registered once: its name, the
// real systems it stands for, its parameters, the summary columns it adds,
// and how to deploy it. Adding a model means writing its protocol
// (protocols/), its Model (experiments/core/models/NAME.cpp) and one line in
// add_builtin_models.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "experiments/core/models/model.hpp"
#include "experiments/core/models/param.hpp"

namespace replisim {

struct ModelSpec {
  std::string name;         // --model NAME
  std::string stands_for;   // "MongoDB replica sets", for help and the README
  std::vector<ParamSpec> params;
  std::vector<std::string> result_columns;  // summary.csv columns it adds
  // Builds the model for the cluster's nodes. Throws std::invalid_argument
  // naming the flag when the model cannot fit them.
  std::function<std::unique_ptr<Model>(const ModelContext&)> deploy;
};

class ModelRegistry {
public:
  // Throws std::logic_error for a name registered twice.
  void add(ModelSpec spec);
  // Throws std::invalid_argument("--model: unknown model ... (available: ...)").
  const ModelSpec& get(const std::string& name) const;
  const std::vector<ModelSpec>& all() const { return models_; }
  std::vector<std::string> names() const;

  // Every model's parameters, each name once (several models may share one,
  // e.g. write-concern), in registration order, with the models using it.
  struct SharedParam {
    ParamSpec spec;  // the first registration's
    std::vector<std::pair<std::string, std::string>> uses;  // (model, its help), in registration order
  };
  std::vector<SharedParam> params() const;
  // Every model's result columns, each once, in registration order.
  std::vector<std::string> result_columns() const;

private:
  std::vector<ModelSpec> models_;
};

// The built-in models, registered on first use.
const ModelRegistry& models();

// The one registration list (models/builtin.cpp).
void add_builtin_models(ModelRegistry& registry);

}  // namespace replisim
