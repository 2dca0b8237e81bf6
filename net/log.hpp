// Operator log lines on stderr: "<UTC time> <level> <message>". Callers never pass
// secrets (tokens, resume tokens) here; tests grep the output for them.
// Thread: any; each line is written with one write(2), so lines do not interleave.
#pragma once

#include <string_view>

namespace sluice {

enum class log_level : unsigned char { info, warn, error };

void log_line(log_level level, std::string_view message);

// Tests and tools silence the log or send it elsewhere; -1 disables it.
void set_log_fd(int fd);

}  // namespace sluice
