#include "core/json_file.hpp"

#include <cstdint>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace foresight {

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open file", path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) fail("{}: read failed", path.string());
  return std::move(contents).str();
}

Json read_json_file(const std::filesystem::path& path) {
  return parse_json(read_text_file(path), path.string());
}

Json parse_json(std::string_view text, const std::string& where) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    fail("{}: invalid JSON: {}", where, e.what());
  }
}

std::optional<int64_t> json_int64(const Json& value) {
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX})
    return std::nullopt;
  if (!value.is_number_integer()) return std::nullopt;
  return value.get<int64_t>();
}

int int_field(const Json& object, std::string_view name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) fail("{}.{}: missing", where, name);
  if (!it->is_number_integer()) fail("{}.{}: expected an integer, got {}", where, name, it->dump());
  const auto v = json_int64(*it);
  if (!v || *v < INT32_MIN || *v > INT32_MAX)
    fail("{}.{}: {} is out of range", where, name, it->dump());
  return int(*v);
}

std::string string_field(const Json& object, std::string_view name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) fail("{}.{}: missing", where, name);
  if (!it->is_string()) fail("{}.{}: expected a string, got {}", where, name, it->dump());
  return it->get<std::string>();
}

}  // namespace foresight
