#include "experiments/output/path_checks.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace replisim {

namespace fs = std::filesystem;

std::string cannot_write_in(const fs::path& dir)
{
  std::string probe = (dir / ".replisim-write-check-XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    return std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

std::string cannot_create_dir(const fs::path& dir)
{
  std::error_code error;
  std::vector<fs::path> missing;
  for (fs::path p = fs::absolute(dir); !p.empty(); p = p.parent_path()) {
    const fs::file_status s = fs::status(p, error);
    if (s.type() != fs::file_type::not_found) {
      if (s.type() != fs::file_type::directory)
        return "'" + p.string() + "' is not a directory";
      break;
    }
    missing.push_back(p);
    if (p == p.parent_path())
      break;
  }
  std::string why;
  std::size_t made = 0;
  for (auto it = missing.rbegin(); it != missing.rend() && why.empty(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0)
      why = std::strerror(errno);
    else
      ++made;
  }
  if (why.empty())
    why = cannot_write_in(dir);
  for (std::size_t i = missing.size() - made; i < missing.size(); ++i)
    ::rmdir(missing[i].c_str());
  return why;
}

}  // namespace replisim
