// The results of an evaluation (accuracy per policy x budget x group) written for people and
// tools: results.json (settings + rows, read back by read_results_json), results.csv,
// results.md (one Markdown table per group) and accuracy.svg (see accuracy_plot.hpp).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_file.hpp"
#include "eval/result_row.hpp"

namespace foresight {

// A Markdown table of one group: one row per policy (in order of first appearance), a "full"
// column first when any policy has a full-cache result, then one column per budget ascending.
// Cells are accuracy in percent with one decimal ("62.5%"); a missing result is "—".
std::string markdown_table(const std::vector<ResultRow>& rows, std::string_view group);

// results.csv: header `policy,budget,group,accuracy,n_problems,n_samples`, budget empty for
// the full cache, fields quoted as RFC 4180 asks.
std::string results_csv(const std::vector<ResultRow>& rows);

// Creates out_dir and writes results.json, results.csv, results.md and accuracy.svg (group
// "all", or the first group when there is no "all") into it, each atomically. `settings`
// (model, dataset, seed, sampling, ...) must be a JSON object; it is stored verbatim in the JSON
// and listed in the Markdown. Malformed rows are an Error (see check_result_rows).
void write_report(const std::filesystem::path& out_dir, const Json& settings,
                  const std::vector<ResultRow>& rows);

// The rows of a results.json written by write_report; errors name the file and the field.
std::vector<ResultRow> read_results_json(const std::filesystem::path& path);

}  // namespace foresight
