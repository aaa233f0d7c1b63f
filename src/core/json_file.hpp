// Reading JSON files with errors that name the file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace foresight {

using Json = nlohmann::json;

std::string read_text_file(const std::filesystem::path& path);
Json read_json_file(const std::filesystem::path& path);

// Parses JSON text; Error "WHERE: invalid JSON: ..." for text that is not JSON, or holds a
// number too large for a double (nlohmann reports that as out_of_range, not parse_error).
Json parse_json(std::string_view text, const std::string& where);

// An integer's value, or nullopt when it is not an integer or does not fit int64 (JSON
// integers up to 2^64 - 1 parse as unsigned, and get<int64_t>() would wrap them negative).
std::optional<int64_t> json_int64(const Json& value);

// Fields of a JSON object, read with errors that name `where` (a file and line, or a path in
// the document) and the field: missing, wrong type, or (for integers) outside int32.
int int_field(const Json& object, std::string_view name, const std::string& where);
std::string string_field(const Json& object, std::string_view name, const std::string& where);

}  // namespace foresight
