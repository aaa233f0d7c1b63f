// Reading JSON files with errors that name the file.
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace foresight {

using Json = nlohmann::json;

std::string read_text_file(const std::filesystem::path& path);
Json read_json_file(const std::filesystem::path& path);

}  // namespace foresight
