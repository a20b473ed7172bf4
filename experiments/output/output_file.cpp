#include "experiments/output/output_file.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

#include <zlib.h>

namespace replisim {

namespace leftovers {

namespace {
struct Slot {
  std::atomic<bool> used{false};
  bool directory = false;
  char path[4096] = {};
};
std::array<Slot, 32> slots;
}  // namespace

int add(const std::string& path, bool directory)
{
  if (path.size() >= sizeof slots[0].path)
    return -1;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    if (s.used.load())
      continue;
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.directory = directory;
    s.used.store(true);
    return static_cast<int>(i);
  }
  return -1;
}

void forget(int slot)
{
  if (slot >= 0 && static_cast<std::size_t>(slot) < slots.size())
    slots[static_cast<std::size_t>(slot)].used.store(false);
}

void remove_all() noexcept
{
  // Files first, then directories, innermost (latest) first.
  for (const Slot& s : slots)
    if (s.used.load() && !s.directory)
      ::unlink(s.path);
  for (std::size_t i = slots.size(); i-- > 0;)
    if (slots[i].used.load() && slots[i].directory)
      ::rmdir(slots[i].path);
}

}  // namespace leftovers

namespace {

// A streambuf over zlib's gzFile: what is written goes out compressed.
class GzipBuffer final : public std::streambuf {
public:
  explicit GzipBuffer(const std::filesystem::path& path) : file_(gzopen(path.c_str(), "wb6")) {}
  ~GzipBuffer() override { finish(); }
  bool ok() const { return file_ != nullptr && good_; }
  // Flushes and closes; false when anything was lost.
  bool finish()
  {
    if (file_ == nullptr)
      return good_;
    good_ = sync() == 0 && good_;
    good_ = gzclose(file_) == Z_OK && good_;
    file_ = nullptr;
    return good_;
  }

protected:
  int_type overflow(int_type c) override
  {
    if (c == traits_type::eof())
      return traits_type::not_eof(c);
    const char ch = traits_type::to_char_type(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override
  {
    if (file_ == nullptr || n == 0)
      return n == 0 ? 0 : -1;
    const int written = gzwrite(file_, s, static_cast<unsigned>(n));
    good_ = good_ && written == n;
    return written;
  }
  int sync() override { return file_ != nullptr && gzflush(file_, Z_NO_FLUSH) != Z_OK ? -1 : 0; }

private:
  gzFile file_;
  bool good_ = true;
};

}  // namespace

OutputFile::OutputFile(const std::filesystem::path& dir, const std::string& name, bool gzip)
    : final_(dir / name), temporary_(dir / ("." + name + ".tmp"))
{
  leftover_ = leftovers::add(temporary_.string(), false);
  bool opened;
  if (gzip) {
    auto buffer = std::make_unique<GzipBuffer>(temporary_);
    opened = buffer->ok();
    gzip_ = std::make_unique<std::ostream>(buffer.get());
    gzip_buffer_ = std::move(buffer);
  } else {
    out_.open(temporary_, std::ios::binary | std::ios::trunc);
    opened = bool(out_);
  }
  if (!opened) {
    gzip_.reset();
    gzip_buffer_.reset();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
    leftovers::forget(leftover_);
    throw std::runtime_error("cannot write '" + temporary_.string() + "'");
  }
}

OutputFile::~OutputFile()
{
  if (!committed_) {
    gzip_.reset();
    gzip_buffer_.reset();
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
  leftovers::forget(leftover_);
}

void OutputFile::close()
{
  if (closed_)
    return;
  closed_ = true;
  bool good;
  if (gzip_) {
    good = bool(*gzip_) && static_cast<GzipBuffer&>(*gzip_buffer_).finish();
  } else {
    out_.close();
    good = bool(out_);
  }
  if (!good)
    throw std::runtime_error("cannot finish writing '" + final_.string() + "'");
}

void OutputFile::commit()
{
  close();
  std::filesystem::rename(temporary_, final_);
  committed_ = true;
  leftovers::forget(leftover_);
}

}  // namespace replisim
