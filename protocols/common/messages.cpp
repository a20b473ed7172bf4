#include "protocols/common/messages.hpp"

namespace replisim {

namespace {

// Each message says it (messages.hpp): none is left to a default.
template <class M>
std::size_t values_of(const M& m)
{
  if constexpr (requires { m.values(); })
    return m.values();
  else
    return M::fixed_values;
}

}  // namespace

std::size_t values_in(const Message& message)
{
  return std::visit([](const auto& m) { return values_of(m); }, message);
}

std::size_t digest_bytes_in(const Message& message)
{
  return std::visit(
      [](const auto& m) -> std::size_t {
        if constexpr (requires { m.digest_bytes(); })
          return m.digest_bytes();
        else
          return 0;
      },
      message);
}

bool is_write_path(const Message& message)
{
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::write_path; }, message);
}

MessageKind kind_of(const Message& message)
{
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kind; }, message);
}

}  // namespace replisim
