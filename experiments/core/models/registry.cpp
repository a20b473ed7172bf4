#include "experiments/core/models/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace replisim {

std::string Model::replication() const { return fmt::format("rf {}", rf_); }

void ModelRegistry::add(ModelSpec spec)
{
  if (std::any_of(models_.begin(), models_.end(), [&](const ModelSpec& m) { return m.name == spec.name; }))
    throw std::logic_error("model '" + spec.name + "' registered twice");
  models_.push_back(std::move(spec));
}

const ModelSpec& ModelRegistry::get(const std::string& name) const
{
  const auto it = std::find_if(models_.begin(), models_.end(), [&](const ModelSpec& m) { return m.name == name; });
  if (it == models_.end())
    throw std::invalid_argument(fmt::format("--model: unknown model '{}' (available: {})", name, fmt::join(names(), ", ")));
  return *it;
}

std::vector<std::string> ModelRegistry::names() const
{
  std::vector<std::string> names;
  for (const ModelSpec& m : models_)
    names.push_back(m.name);
  return names;
}

std::vector<ModelRegistry::SharedParam> ModelRegistry::params() const
{
  std::vector<SharedParam> all;
  for (const ModelSpec& m : models_)
    for (const ParamSpec& p : m.params) {
      const auto it = std::find_if(all.begin(), all.end(), [&](const SharedParam& s) { return s.spec.name == p.name; });
      if (it == all.end())
        all.push_back({p, {{m.name, p.help}}});
      else
        it->uses.emplace_back(m.name, p.help);
    }
  return all;
}

std::vector<std::string> ModelRegistry::result_columns() const
{
  std::vector<std::string> columns;
  for (const ModelSpec& m : models_)
    for (const std::string& c : m.result_columns)
      if (std::find(columns.begin(), columns.end(), c) == columns.end())
        columns.push_back(c);
  return columns;
}

const ModelRegistry& models()
{
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    add_builtin_models(r);
    return r;
  }();
  return registry;
}

}  // namespace replisim
