// The one list of models replisim knows. A new model adds its line here.
#include "experiments/core/models/registry.hpp"

namespace replisim {

void add_leader_follower(ModelRegistry& registry);
void add_partitioned(ModelRegistry& registry);
void add_leaderless(ModelRegistry& registry);
void add_multi_leader(ModelRegistry& registry);
void add_chain(ModelRegistry& registry);

void add_builtin_models(ModelRegistry& registry)
{
  add_leader_follower(registry);
  add_partitioned(registry);
  add_leaderless(registry);
  add_multi_leader(registry);
  add_chain(registry);
}

}  // namespace replisim
