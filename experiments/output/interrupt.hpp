// A `replisim run` stopped by SIGINT, SIGTERM or SIGHUP removes what it had
// begun to write (the leftovers of output_file.hpp), says so in one line and
// exits 128 + the signal (130, 143, 129), as sweeps do.
#pragma once

namespace replisim {

// Installs the handlers (again after SimGrid's engine replaced SIGINT's).
void exit_cleanly_on_interrupt();

}  // namespace replisim
