// Reading JSON files with errors that name the file.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace foresight {

using Json = nlohmann::json;

std::string read_text_file(const std::filesystem::path& path);
Json read_json_file(const std::filesystem::path& path);

// Fields of a JSON object, read with errors that name `where` (a file and line, or a path in
// the document) and the field: missing, wrong type, or (for integers) outside int32.
int int_field(const Json& object, std::string_view name, const std::string& where);
std::string string_field(const Json& object, std::string_view name, const std::string& where);

}  // namespace foresight
