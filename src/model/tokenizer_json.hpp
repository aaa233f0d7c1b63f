// Checked access to the fields of a tokenizer.json, so that a malformed file gives an Error
// naming the field ("pre_tokenizer.pretokenizers[1].behavior: expected a string") instead of a
// nlohmann type_error. Tokenizer::load prefixes every such message with the file name.
#pragma once
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json_file.hpp"

namespace foresight::tokenizer_json {

// obj[key], which must exist; `where` names obj ("model", "added_tokens[3]").
inline const Json& member(const Json& obj, std::string_view where, const char* key) {
  if (!obj.is_object()) fail("{}: expected an object, found {}", where, obj.type_name());
  auto it = obj.find(key);
  if (it == obj.end()) fail("{}: missing field \"{}\"", where, key);
  return *it;
}

inline std::string string_member(const Json& obj, std::string_view where, const char* key) {
  const Json& value = member(obj, where, key);
  if (!value.is_string()) fail("{}.{}: expected a string, found {}", where, key, value.type_name());
  return value.get<std::string>();
}

// obj[key] as a bool; `fallback` when absent or null (HF serialises unset options as null).
inline bool bool_member(const Json& obj, std::string_view where, const char* key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean())
    fail("{}.{}: expected true or false, found {}", where, key, it->type_name());
  return it->get<bool>();
}

// obj["type"], the discriminator of every normalizer, pre-tokenizer, model and decoder.
inline std::string type_of(const Json& obj, std::string_view where) {
  return string_member(obj, where, "type");
}

}  // namespace foresight::tokenizer_json
