#include "eval/report.hpp"

#include <cstdint>
#include <system_error>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "eval/accuracy_plot.hpp"

namespace foresight {
namespace {

// A Markdown table cell: `|` would end the cell and a newline the row.
std::string md_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += (c == '\n' || c == '\r') ? ' ' : c;
    }
  }
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

Json row_to_json(const ResultRow& r) {
  return {{"policy", r.policy},         {"budget", r.budget ? Json(*r.budget) : Json(nullptr)},
          {"group", r.group},           {"accuracy", r.accuracy},
          {"n_problems", r.n_problems}, {"n_samples", r.n_samples}};
}

// Reads results[i].name as an int, naming the file and field when it is missing or not one.
std::string settings_markdown(const Json& settings) {
  std::string md;
  for (const auto& [key, value] : settings.items()) {
    md += fmt::format("- **{}**: {}\n", key,
                      value.is_string() ? value.get<std::string>() : value.dump());
  }
  return md;
}

std::string report_markdown(const Json& settings, const std::vector<ResultRow>& rows) {
  std::string md = "# Evaluation results\n\n";
  if (!settings.empty()) md += settings_markdown(settings) + "\n";
  md +=
      "Accuracy in percent, per policy and KV budget (entries kept per head); "
      "\"full\" keeps the whole cache.\n";
  for (const std::string& group : groups_in_order(rows)) {
    int n_problems = -1;  // shown when every result of the group has the same count
    for (const ResultRow& r : rows) {
      if (r.group != group) continue;
      n_problems = (n_problems == -1 || n_problems == r.n_problems) ? r.n_problems : -2;
    }
    md += group == "all" ? std::string("\n## All problems") : fmt::format("\n## Group: {}", group);
    if (n_problems >= 0) md += fmt::format(" ({} problems)", n_problems);
    md += "\n\n" + markdown_table(rows, group);
  }
  return md;
}

}  // namespace

std::string markdown_table(const std::vector<ResultRow>& rows, std::string_view group) {
  std::vector<std::optional<int>> columns;
  if (has_full(rows, group)) columns.emplace_back(std::nullopt);
  for (int b : budgets_ascending(rows, group)) columns.emplace_back(b);

  std::string md = "| policy |";
  std::string rule = "|---|";
  for (const auto& c : columns) {
    md += fmt::format(" {} |", c ? std::to_string(*c) : "full");
    rule += "---:|";
  }
  md += "\n" + rule + "\n";
  for (const std::string& policy : policies_in_order(rows, group)) {
    md += "| " + md_cell(policy) + " |";
    for (const auto& c : columns) {
      const ResultRow* r = find_row(rows, policy, c, group);
      md += r ? fmt::format(" {:.1f}% |", r->accuracy * 100) : std::string(" — |");
    }
    md += "\n";
  }
  return md;
}

std::string results_csv(const std::vector<ResultRow>& rows) {
  std::string csv = "policy,budget,group,accuracy,n_problems,n_samples\n";
  for (const ResultRow& r : rows) {
    // `{}` prints the shortest text that reads back as the same double
    csv += fmt::format("{},{},{},{},{},{}\n", csv_field(r.policy),
                       r.budget ? std::to_string(*r.budget) : "", csv_field(r.group), r.accuracy,
                       r.n_problems, r.n_samples);
  }
  return csv;
}

void write_report(const std::filesystem::path& out_dir, const Json& settings,
                  const std::vector<ResultRow>& rows) {
  if (!settings.is_object()) fail("write_report: settings must be a JSON object");
  check_result_rows(rows, "write_report");
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) fail("{}: cannot create the output directory: {}", out_dir.string(), ec.message());

  Json results = Json::array();
  for (const ResultRow& r : rows) results.push_back(row_to_json(r));
  const Json doc = {{"settings", settings}, {"results", std::move(results)}};
  write_file_atomic(out_dir / "results.json", doc.dump(2) + "\n");
  write_file_atomic(out_dir / "results.csv", results_csv(rows));
  write_file_atomic(out_dir / "results.md", report_markdown(settings, rows));

  const std::vector<std::string> groups = groups_in_order(rows);
  const std::string group = groups.empty() ? "all" : groups.front();
  std::string title = "Accuracy vs. KV budget";
  if (settings.contains("dataset") && settings["dataset"].is_string()) {
    title += " — " + settings["dataset"].get<std::string>();
  }
  if (group != "all") title += " (group " + group + ")";
  write_file_atomic(out_dir / "accuracy.svg", accuracy_svg(rows, group, title));
}

std::vector<ResultRow> read_results_json(const std::filesystem::path& path) {
  const Json doc = read_json_file(path);
  const std::string file = path.string();
  if (!doc.is_object()) fail("{}: expected a JSON object with \"results\"", file);
  const auto results = doc.find("results");
  if (results == doc.end()) fail("{}: missing \"results\"", file);
  if (!results->is_array()) fail("{}: \"results\" must be an array", file);

  std::vector<ResultRow> rows;
  for (size_t i = 0; i < results->size(); ++i) {
    const Json& item = (*results)[i];
    const std::string where = fmt::format("{}: results[{}]", file, i);
    if (!item.is_object()) fail("{}: expected an object", where);
    ResultRow r;
    r.policy = string_field(item, "policy", where);
    r.group = string_field(item, "group", where);
    const auto budget = item.find("budget");
    if (budget == item.end()) fail("{}.budget: missing (null for the full cache)", where);
    if (!budget->is_null()) r.budget = int_field(item, "budget", where);
    const auto accuracy = item.find("accuracy");
    if (accuracy == item.end()) fail("{}.accuracy: missing", where);
    if (!accuracy->is_number())
      fail("{}.accuracy: expected a number, got {}", where, accuracy->dump());
    r.accuracy = accuracy->get<double>();
    r.n_problems = int_field(item, "n_problems", where);
    r.n_samples = int_field(item, "n_samples", where);
    rows.push_back(std::move(r));
  }
  check_result_rows(rows, file);
  return rows;
}

}  // namespace foresight
