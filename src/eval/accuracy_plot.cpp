#include "eval/accuracy_plot.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace foresight {
namespace {

// Canvas and plot area in SVG user units; the legend lives right of the plot.
constexpr double kWidth = 780, kHeight = 460;
constexpr double kLeft = 70, kRight = 580, kTop = 50, kBottom = 400;
constexpr double kInset = 24;  // keeps the first and last budget off the y axis and the edge
constexpr double kLegendX = 600, kLegendY = 60, kLegendStep = 22;

// Tableau 10: distinct, print-safe colours; past ten, hues spread by the golden angle.
std::string colour(size_t i) {
  static constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                             "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  if (i < std::size(kPalette)) return kPalette[i];
  return fmt::format("hsl({:.0f},65%,45%)", std::fmod(double(i) * 137.508, 360.0));
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

double y_of(double accuracy) { return kBottom - accuracy * (kBottom - kTop); }

// Budgets spread evenly in log2 between the smallest and the largest.
struct XAxis {
  double lo = 0, hi = 0;
  double operator()(int budget) const {
    if (hi <= lo) return (kLeft + kRight) / 2;
    return kLeft + kInset + (std::log2(budget) - lo) / (hi - lo) * (kRight - kLeft - 2 * kInset);
  }
};

std::string text(double x, double y, std::string_view anchor, std::string_view content,
                 std::string_view extra = "") {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\"{}>{}</text>\n", x, y,
                     anchor, extra, xml_escape(content));
}

std::string percent(double accuracy) { return fmt::format("{:.1f}%", accuracy * 100); }

}  // namespace

std::string accuracy_svg(const std::vector<ResultRow>& rows, std::string_view group,
                         std::string_view title) {
  const std::vector<int> budgets = budgets_ascending(rows, group);
  const std::vector<std::string> policies = policies_in_order(rows, group);
  XAxis x;
  if (!budgets.empty()) x = {std::log2(budgets.front()), std::log2(budgets.back())};
  // the canvas grows downwards when the legend would not fit
  size_t legend_entries = 0;
  for (const std::string& policy : policies) {
    legend_entries += std::any_of(budgets.begin(), budgets.end(), [&](int b) {
      return find_row(rows, policy, b, group) != nullptr;
    });
    legend_entries += find_row(rows, policy, std::nullopt, group) != nullptr;
  }
  const double height = std::max(kHeight, kLegendY + double(legend_entries) * kLegendStep);

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
      kWidth, height);
  svg += text(kWidth / 2, 28, "middle", title, " font-size=\"16\" font-weight=\"bold\"");

  // y grid every 20%, x ticks at the budgets, then the axes over them
  for (int p = 0; p <= 100; p += 20) {
    const double y = y_of(p / 100.0);
    svg +=
        fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#e0e0e0\"/>\n",
                    kLeft, y, kRight, y);
    svg += text(kLeft - 8, y + 4, "end", fmt::format("{}%", p));
  }
  for (int b : budgets) {
    svg +=
        fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#333\"/>\n",
                    x(b), kBottom, kBottom + 5);
    svg += text(x(b), kBottom + 19, "middle", std::to_string(b));
  }
  svg += fmt::format("<path d=\"M{},{} V{} H{}\" fill=\"none\" stroke=\"#333\"/>\n", kLeft, kTop,
                     kBottom, kRight);
  svg += text((kLeft + kRight) / 2, kBottom + 42, "middle",
              "KV budget (entries kept per head, log2 scale)");
  svg += text(18, (kTop + kBottom) / 2, "middle", "accuracy",
              fmt::format(" transform=\"rotate(-90 18 {:.1f})\"", (kTop + kBottom) / 2));
  if (policies.empty())
    svg += text((kLeft + kRight) / 2, (kTop + kBottom) / 2, "middle", "no results");

  double legend_y = kLegendY;
  const auto legend = [&](const std::string& c, bool dashed, bool marker, std::string_view name) {
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
        kLegendX, legend_y, kLegendX + 28, legend_y, c, dashed ? " stroke-dasharray=\"6 4\"" : "");
    if (marker) {
      svg += fmt::format("<circle cx=\"{}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n", kLegendX + 14,
                         legend_y, c);
    }
    svg += text(kLegendX + 36, legend_y + 4, "start", name);
    legend_y += kLegendStep;
  };

  for (size_t i = 0; i < policies.size(); ++i) {
    const std::string& policy = policies[i];
    const std::string c = colour(i);
    if (const ResultRow* full = find_row(rows, policy, std::nullopt, group)) {
      const double y = y_of(full->accuracy);
      svg += fmt::format(
          "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\" "
          "stroke-dasharray=\"6 4\"><title>{} (full cache): {}</title></line>\n",
          kLeft, y, kRight, y, c, xml_escape(policy), percent(full->accuracy));
    }
    std::string points, markers;
    for (int b : budgets) {
      const ResultRow* r = find_row(rows, policy, b, group);
      if (r == nullptr) continue;
      const double px = x(b), py = y_of(r->accuracy);
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", px, py);
      markers += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{} at {}: {}</title>"
          "</circle>\n",
          px, py, c, xml_escape(policy), b, percent(r->accuracy));
    }
    const bool budgeted = !points.empty();
    if (budgeted) {
      svg += fmt::format(
          "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
          "class=\"policy\"/>\n",
          points, c);
      svg += markers;
      legend(c, false, true, policy);
    }
    if (find_row(rows, policy, std::nullopt, group)) {
      legend(c, true, false, budgeted ? policy + " (full cache)" : policy);
    }
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace foresight
