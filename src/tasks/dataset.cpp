#include "tasks/dataset.hpp"

#include <set>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"

namespace foresight {
namespace {

// A string field; integers are accepted where `integer_ok` (ids and answers of external data).
std::string text_field(const Json& line, const char* name, bool required, bool integer_ok,
                       const std::string& where) {
  const auto it = line.find(name);
  if (it == line.end()) {
    if (required) fail("{}: missing \"{}\"", where, name);
    return {};
  }
  if (it->is_string()) return it->get<std::string>();
  if (integer_ok && it->is_number_integer()) return it->dump();
  fail("{}: \"{}\" must be a string{}, not {}", where, name, integer_ok ? " or an integer" : "",
       it->type_name());
}

}  // namespace

void write_dataset(const std::filesystem::path& path, std::span<const TaskProblem> problems) {
  AtomicFile file(path);
  for (const TaskProblem& p : problems) {
    nlohmann::ordered_json line = {
        {"id", p.id}, {"group", p.group}, {"prompt", p.prompt}, {"answer", p.answer}};
    if (!p.trace.empty()) line["trace"] = p.trace;
    try {
      file.write(line.dump() + "\n");
    } catch (const nlohmann::json::type_error& e) {
      fail("{}: problem {}: {}", path.string(), p.id, e.what());  // text that is not UTF-8
    }
  }
  file.commit();
}

std::vector<TaskProblem> read_dataset(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  std::vector<TaskProblem> problems;
  std::set<std::string> ids;
  size_t begin = 0;
  for (size_t number = 1; begin < text.size(); ++number) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view raw(text.data() + begin, end - begin);
    begin = end + 1;
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = fmt::format("{}:{}", path.string(), number);
    const Json line = parse_json(raw, where);
    if (!line.is_object()) fail("{}: expected a JSON object, found {}", where, line.type_name());
    TaskProblem p;
    p.id = text_field(line, "id", true, true, where);
    p.group = text_field(line, "group", false, false, where);
    if (p.group.empty()) p.group = "all";
    p.prompt = text_field(line, "prompt", true, false, where);
    p.answer = text_field(line, "answer", true, true, where);
    p.trace = text_field(line, "trace", false, false, where);
    if (!ids.insert(p.id).second) fail("{}: id \"{}\" appears twice", where, p.id);
    problems.push_back(std::move(p));
  }
  return problems;
}

}  // namespace foresight
