#include "core/json_file.hpp"

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

}  // namespace foresight
