// The results writer: JSON round trip and its errors, CSV quoting, the exact Markdown table,
// and an SVG that is well formed and draws what it should.
#include <fstream>
#include <functional>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "eval/accuracy_plot.hpp"
#include "eval/report.hpp"
#include "test_util.hpp"

namespace foresight {
namespace {

std::vector<ResultRow> example_rows() {
  return {
      {"full", std::nullopt, "all", 0.8, 40, 80},
      {"h2o", 128, "all", 0.625, 40, 80},
      {"h2o", 64, "all", 0.5, 40, 80},
      {"judge", 64, "all", 0.7125, 40, 80},
      {"judge", 256, "all", 0.75, 40, 80},
      {"h2o", 64, "algebra", 1.0 / 3, 12, 24},
      {"judge, v2", 64, "algebra \"hard\"", 0.25, 4, 8},
  };
}

void expect_same_rows(const std::vector<ResultRow>& a, const std::vector<ResultRow>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].policy, b[i].policy) << i;
    EXPECT_EQ(a[i].budget, b[i].budget) << i;
    EXPECT_EQ(a[i].group, b[i].group) << i;
    EXPECT_EQ(a[i].accuracy, b[i].accuracy) << i;  // exact: doubles must round-trip
    EXPECT_EQ(a[i].n_problems, b[i].n_problems) << i;
    EXPECT_EQ(a[i].n_samples, b[i].n_samples) << i;
  }
}

TEST(Report, MarkdownTable) {
  EXPECT_EQ(markdown_table(example_rows(), "all"),
            "| policy | full | 64 | 128 | 256 |\n"
            "|---|---:|---:|---:|---:|\n"
            "| full | 80.0% | — | — | — |\n"
            "| h2o | — | 50.0% | 62.5% | — |\n"
            "| judge | — | 71.2% | — | 75.0% |\n");
  EXPECT_EQ(markdown_table(example_rows(), "algebra"),
            "| policy | 64 |\n"
            "|---|---:|\n"
            "| h2o | 33.3% |\n");
  EXPECT_EQ(markdown_table(example_rows(), "nothing"), "| policy |\n|---|\n");
}

TEST(Report, CsvQuotesFields) {
  EXPECT_EQ(results_csv(example_rows()),
            "policy,budget,group,accuracy,n_problems,n_samples\n"
            "full,,all,0.8,40,80\n"
            "h2o,128,all,0.625,40,80\n"
            "h2o,64,all,0.5,40,80\n"
            "judge,64,all,0.7125,40,80\n"
            "judge,256,all,0.75,40,80\n"
            "h2o,64,algebra,0.3333333333333333,12,24\n"
            "\"judge, v2\",64,\"algebra \"\"hard\"\"\",0.25,4,8\n");
}

TEST(Report, WritesAllFilesAndJsonRoundTrips) {
  test::TempDir dir;
  const auto out = dir / "nested/report";
  const Json settings = {{"model", "models/base"},
                         {"dataset", "synthetic"},
                         {"seed", 7},
                         {"sampling", {{"temperature", 0.6}}}};
  write_report(out, settings, example_rows());
  for (const char* name : {"results.json", "results.csv", "results.md", "accuracy.svg"}) {
    EXPECT_TRUE(std::filesystem::exists(out / name)) << name;
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(out), {}), 4);  // no temp files

  expect_same_rows(read_results_json(out / "results.json"), example_rows());
  const Json doc = read_json_file(out / "results.json");
  EXPECT_EQ(doc["settings"], settings);
  EXPECT_TRUE(doc["results"][0]["budget"].is_null());
  EXPECT_EQ(read_text_file(out / "results.csv"), results_csv(example_rows()));

  const std::string md = read_text_file(out / "results.md");
  EXPECT_NE(md.find("- **seed**: 7\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **model**: models/base\n"), std::string::npos) << md;
  const size_t all =
      md.find("## All problems (40 problems)\n\n" + markdown_table(example_rows(), "all"));
  const size_t algebra = md.find("## Group: algebra (12 problems)\n\n| policy | 64 |");
  EXPECT_NE(all, std::string::npos) << md;
  EXPECT_NE(algebra, std::string::npos) << md;
  EXPECT_LT(all, algebra);
  EXPECT_NE(md.find("| judge, v2 | 25.0% |"), std::string::npos) << md;

  // a second report replaces the first
  write_report(out, settings, {{"full", std::nullopt, "all", 1.0, 1, 1}});
  EXPECT_EQ(read_results_json(out / "results.json").size(), 1u);
}

TEST(Report, RejectsBadRows) {
  test::TempDir dir;
  auto rows = example_rows();
  rows.push_back(rows[1]);
  EXPECT_THROW(write_report(dir.path(), Json::object(), rows), Error);
  EXPECT_THROW(write_report(dir.path(), Json::object(), {{"p", 0, "all", 0.5, 1, 1}}), Error);
  EXPECT_THROW(write_report(dir.path(), Json::object(), {{"p", 4, "all", 1.5, 1, 1}}), Error);
  EXPECT_THROW(write_report(dir.path(), Json::object(), {{"p", 4, "all", NAN, 1, 1}}), Error);
  EXPECT_THROW(write_report(dir.path(), Json::object(), {{"", 4, "all", 0.5, 1, 1}}), Error);
  EXPECT_THROW(write_report(dir.path(), Json::array(), {}), Error);
}

// Writes results.json with one field of the first result replaced, and returns the error.
std::string read_error(const std::function<void(Json&)>& edit) {
  test::TempDir dir;
  Json doc = {{"settings", Json::object()},
              {"results",
               {{{"policy", "h2o"},
                 {"budget", 64},
                 {"group", "all"},
                 {"accuracy", 0.5},
                 {"n_problems", 2},
                 {"n_samples", 2}}}}};
  edit(doc);
  std::ofstream(dir / "results.json") << doc.dump();
  try {
    read_results_json(dir / "results.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Report, ReadErrorsNameTheFileAndField) {
  EXPECT_EQ(read_error([](Json&) {}), "no error");
  EXPECT_EQ(read_error([](Json& d) { d["results"][0]["budget"] = nullptr; }), "no error");
  const auto expect_mentions = [](const std::string& error, const std::string& what) {
    EXPECT_NE(error.find("results.json"), std::string::npos) << error;
    EXPECT_NE(error.find(what), std::string::npos) << error;
  };
  expect_mentions(read_error([](Json& d) { d["results"][0]["budget"] = "64"; }),
                  "results[0].budget");
  expect_mentions(read_error([](Json& d) { d["results"][0].erase("budget"); }),
                  "results[0].budget");
  expect_mentions(read_error([](Json& d) { d["results"][0]["accuracy"] = "high"; }),
                  "results[0].accuracy");
  expect_mentions(read_error([](Json& d) { d["results"][0]["accuracy"] = 2; }), "outside 0..1");
  expect_mentions(read_error([](Json& d) { d["results"][0]["n_samples"] = 1.5; }),
                  "results[0].n_samples");
  expect_mentions(read_error([](Json& d) { d["results"][0].erase("policy"); }),
                  "results[0].policy");
  expect_mentions(read_error([](Json& d) { d["results"] = 3; }), "\"results\" must be an array");
  expect_mentions(read_error([](Json& d) { d.erase("results"); }), "missing \"results\"");
}

// A small well-formedness check: every tag closes in order, attributes are quoted.
bool balanced_xml(const std::string& svg, std::string* problem) {
  std::vector<std::string> open;
  const std::regex tag(R"(<(/?)([a-zA-Z]+)((?:\s+[-a-zA-Z0-9:]+="[^"<]*")*)\s*(/?)>)");
  std::string rest = svg.substr(svg.find("?>") + 2);
  std::smatch m;
  while (std::regex_search(rest, m, tag)) {
    const std::string between = m.prefix();
    if (between.find('<') != std::string::npos) {
      *problem = "malformed tag near: " + between.substr(between.find('<'), 60);
      return false;
    }
    if (m[1] == "/") {
      if (open.empty() || open.back() != m[2]) {
        *problem = "unexpected </" + m[2].str() + ">";
        return false;
      }
      open.pop_back();
    } else if (m[4] != "/") {
      open.push_back(m[2]);
    }
    rest = m.suffix();
  }
  if (!open.empty()) *problem = "unclosed <" + open.back() + ">";
  return open.empty() && rest.find('<') == std::string::npos;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = 0; (pos = text.find(what, pos)) != std::string::npos; pos += what.size()) ++n;
  return n;
}

TEST(Report, SvgIsWellFormedAndDrawsEachPolicy) {
  auto rows = example_rows();
  rows.push_back({"a<b&c", 32, "all", 0.1, 40, 80});
  const std::string svg = accuracy_svg(rows, "all", "Accuracy & budget");
  std::string problem;
  EXPECT_TRUE(balanced_xml(svg, &problem)) << problem << "\n" << svg;
  EXPECT_EQ(count(svg, "<polyline"), 3u);         // h2o, judge, a<b&c; "full" has no budgets
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2u);  // the full line and its legend sample
  for (const char* name : {">h2o</text>", ">judge</text>", ">full</text>", ">a&lt;b&amp;c</text>",
                           ">Accuracy &amp; budget</text>"}) {
    EXPECT_NE(svg.find(name), std::string::npos) << name;
  }
  for (const char* tick :
       {">32</text>", ">64</text>", ">128</text>", ">256</text>", ">100%</text>"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  // distinct colours for the four policies
  std::set<std::string> colours;
  const std::regex stroke(R"re(<polyline[^>]*stroke="([^"]+)")re");
  for (std::sregex_iterator it(svg.begin(), svg.end(), stroke), end; it != end; ++it) {
    colours.insert((*it)[1]);
  }
  EXPECT_EQ(colours.size(), 3u);
}

TEST(Report, SvgHandlesDegenerateInputs) {
  std::string problem;
  const std::string empty = accuracy_svg({}, "all", "t");
  EXPECT_TRUE(balanced_xml(empty, &problem)) << problem;
  EXPECT_NE(empty.find("no results"), std::string::npos);
  const std::string one = accuracy_svg({{"p", 64, "all", 0.5, 1, 1}}, "all", "t");
  EXPECT_TRUE(balanced_xml(one, &problem)) << problem;
  EXPECT_EQ(count(one, "<polyline"), 1u);
  EXPECT_EQ(one.find("nan"), std::string::npos);
  std::vector<ResultRow> many;
  for (int i = 0; i < 30; ++i) many.push_back({"p" + std::to_string(i), 64, "all", 0.5, 1, 1});
  EXPECT_TRUE(balanced_xml(accuracy_svg(many, "all", "t"), &problem)) << problem;
}

}  // namespace
}  // namespace foresight
