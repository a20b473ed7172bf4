// The CSV replisim writes and the sweep reads back: RFC 4180 fields (quoted only when they
// hold a comma, a quote or a line break), one header line, '\n' line ends.
#pragma once
#include <string>
#include <vector>

namespace replisim {

using CsvRecord = std::vector<std::string>;

std::string csv_field(const std::string& value);
std::string csv_line(const CsvRecord& fields);  // with its '\n'

// Every record of `text`; throws std::runtime_error on an unterminated quote.
std::vector<CsvRecord> parse_csv(const std::string& text);

}  // namespace replisim
