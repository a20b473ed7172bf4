#include "experiments/output_file.hpp"

#include <stdexcept>

namespace replisim {

OutputFile::OutputFile(const std::filesystem::path& dir, const std::string& name)
    : final_(dir / name), temporary_(dir / ("." + name + ".tmp"))
{
  out_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!out_)
    throw std::runtime_error("cannot write '" + temporary_.string() + "'");
}

OutputFile::~OutputFile()
{
  if (!committed_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void OutputFile::commit()
{
  out_.close();
  if (!out_)
    throw std::runtime_error("cannot finish writing '" + final_.string() + "'");
  std::filesystem::rename(temporary_, final_);
  committed_ = true;
}

}  // namespace replisim
