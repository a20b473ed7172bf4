// A log that may discard a prefix of its entries: the storage of the Raft log
// (raft_log.hpp) and of a chain's updates (chain.hpp). Indexes are absolute:
// the first entry ever appended has index 1, whatever was discarded since.
#pragma once
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "protocols/common/types.hpp"

namespace replisim {

template <typename Entry>
class SuffixLog {
public:
  using const_iterator = typename std::vector<Entry>::const_iterator;

  // The entries kept, in index order: from first_index() to last_index().
  const_iterator begin() const { return entries_.begin() + static_cast<std::ptrdiff_t>(dead_); }
  const_iterator end() const { return entries_.end(); }
  std::size_t kept() const { return entries_.size() - dead_; }
  bool empty() const { return kept() == 0; }

  LogIndex last_index() const { return compacted_ + kept(); }
  LogIndex compacted() const { return compacted_; }        // the last index discarded; 0: none
  LogIndex first_index() const { return compacted_ + 1; }  // the first index kept (if any)

  // The entry at `index`, which must be kept (compacted() < index <=
  // last_index()); throws std::out_of_range otherwise.
  const Entry& at(LogIndex index) const
  {
    if (index <= compacted_ || index > last_index())
      throw std::out_of_range("log index not kept");
    return entries_[dead_ + static_cast<std::size_t>(index - compacted_ - 1)];
  }

  void push_back(const Entry& entry) { entries_.push_back(entry); }

  // Erases the entries from `from` on; throws std::logic_error if that
  // reaches a discarded one.
  void erase_from(LogIndex from)
  {
    if (from > last_index())
      return;
    if (from <= compacted_)
      throw std::logic_error("erasing a discarded log entry");
    entries_.erase(begin() + static_cast<std::ptrdiff_t>(from - compacted_ - 1), entries_.end());
  }

  // Discards the entries up to `through` (clamped to last_index(); nothing if
  // at or below compacted()), first calling `visit` on each in index order.
  // Amortised O(1) per entry: the storage moves only once the dead prefix is
  // at least half of it, so it never holds more than twice what is kept.
  template <typename Visit>
  void discard_through(LogIndex through, Visit&& visit)
  {
    through = std::min(through, last_index());
    for (; compacted_ < through; ++compacted_, ++dead_)
      visit(compacted_ + 1, entries_[dead_]);
    if (dead_ > 0 && 2 * dead_ >= entries_.size()) {
      entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(dead_));
      dead_ = 0;
    }
  }
  void discard_through(LogIndex through)
  {
    discard_through(through, [](LogIndex, const Entry&) {});
  }

  // The same discarded index and the same entries kept.
  friend bool operator==(const SuffixLog& a, const SuffixLog& b)
  {
    return a.compacted_ == b.compacted_ && std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

private:
  std::vector<Entry> entries_;  // entries_[dead_] has index compacted_ + 1
  std::size_t dead_ = 0;        // discarded entries not yet erased from entries_
  LogIndex compacted_ = 0;
};

}  // namespace replisim
