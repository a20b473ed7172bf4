// State most holders never need, kept out of line until one writes to it: a
// node keeps state per unit it holds (300,000 in a 100,000-unit run on
// 10,000 nodes) and only a unit's leader uses its view of the followers.
// Empty, it is one pointer; read while empty, it is a default T.
#pragma once
#include <memory>
#include <utility>

namespace replisim {

template <typename T>
class OnDemand {
public:
  OnDemand() = default;
  OnDemand(const OnDemand& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  OnDemand(OnDemand&&) noexcept = default;
  OnDemand& operator=(const OnDemand& other)
  {
    if (this != &other)
      value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  OnDemand& operator=(OnDemand&&) noexcept = default;
  OnDemand& operator=(T value)
  {
    get() = std::move(value);
    return *this;
  }

  // For writing: made (default) if empty.
  T& get()
  {
    if (!value_)
      value_ = std::make_unique<T>();
    return *value_;
  }
  // For reading: a default T if empty, nothing made.
  const T& view() const
  {
    static const T empty{};
    return value_ ? *value_ : empty;
  }
  T* operator->() { return &get(); }
  const T* operator->() const { return &view(); }

  // Back to empty, its memory freed.
  void reset() { value_.reset(); }
  bool empty() const { return value_ == nullptr; }

private:
  std::unique_ptr<T> value_;
};

}  // namespace replisim
