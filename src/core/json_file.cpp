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
  std::string text = read_text_file(path);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    fail("{}: invalid JSON: {}", path.string(), e.what());
  }
}

int int_field(const Json& object, std::string_view name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) fail("{}.{}: missing", where, name);
  if (!it->is_number_integer()) fail("{}.{}: expected an integer, got {}", where, name, it->dump());
  const auto v = it->get<int64_t>();
  if (v < INT32_MIN || v > INT32_MAX) fail("{}.{}: {} is out of range", where, name, v);
  return int(v);
}

std::string string_field(const Json& object, std::string_view name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) fail("{}.{}: missing", where, name);
  if (!it->is_string()) fail("{}.{}: expected a string, got {}", where, name, it->dump());
  return it->get<std::string>();
}

}  // namespace foresight
