#include "experiments/output/csv.hpp"

#include <stdexcept>

namespace replisim {

std::string csv_field(const std::string& value)
{
  if (value.find_first_of(",\"\r\n") == std::string::npos)
    return value;
  std::string quoted = "\"";
  for (char ch : value)
    quoted.append(ch == '"' ? 2 : 1, ch);
  return quoted + "\"";
}

std::string csv_line(const CsvRecord& fields)
{
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0)
      line += ',';
    line += csv_field(fields[i]);
  }
  return line + "\n";
}

std::vector<CsvRecord> parse_csv(const std::string& text)
{
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  bool quoted = false;
  bool in_record = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch != '"')
        field += ch;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        field += text[++i];
      else
        quoted = false;
      continue;
    }
    in_record = true;
    if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (ch == '\n') {
      if (!field.empty() && field.back() == '\r')
        field.pop_back();
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      in_record = false;
    } else {
      field += ch;
    }
  }
  if (quoted)
    throw std::runtime_error("unterminated quoted CSV field");
  if (in_record) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace replisim
