// A first-in first-out queue on one vector. Nothing is allocated until the
// first push: std::deque allocates a 512-byte block as soon as it exists,
// which a node holding tens of thousands of idle units (each with its queue
// of pending writes) cannot afford. Popped slots are reclaimed once they are
// half the vector, so memory follows what is queued, not what ever was.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

namespace replisim {

template <typename T>
class Fifo {
public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& back() { return items_.back(); }

  void push_back(T value) { items_.push_back(std::move(value)); }
  template <typename... Args>
  T& emplace_back(Args&&... args)
  {
    return items_.emplace_back(std::forward<Args>(args)...);
  }
  void pop_front()
  {
    items_[head_] = T{};  // lets go of what the popped item held now
    if (++head_ == items_.size())
      clear();
    else if (head_ >= kCompactAfter && 2 * head_ >= items_.size())
      compact();
  }
  void clear()
  {
    items_.clear();
    head_ = 0;
  }

  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }

private:
  static constexpr std::size_t kCompactAfter = 32;

  // Moves the queued items to the front: each item moves at most once per
  // time the queue's head passes half of it, so pops stay O(1) amortised.
  void compact()
  {
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace replisim
