#include "experiments/output/interrupt.hpp"

#include <csignal>
#include <cstring>
#include <unistd.h>

#include "experiments/output/output_file.hpp"

namespace replisim {

namespace {

void write_all(const char* text)
{
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0)
      return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

extern "C" void on_interrupt(int sig)
{
  leftovers::remove_all();
  const char* name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
  write_all("replisim: interrupted by ");
  write_all(name);
  write_all(": stopped, and wrote no output file\n");
  ::_exit(128 + sig);
}

}  // namespace

void exit_cleanly_on_interrupt()
{
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP})
    sigaddset(&action.sa_mask, sig);  // one handler at a time
  for (int sig : {SIGINT, SIGTERM, SIGHUP})
    sigaction(sig, &action, nullptr);
}

}  // namespace replisim
