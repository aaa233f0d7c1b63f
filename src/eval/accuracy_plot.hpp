// The accuracy-against-budget plot of a report, as a self-contained SVG written by hand (no
// plotting library): accuracy 0..100% on y, budget on a log2 x axis with a tick at every budget,
// one polyline with markers per policy with budgeted results, a dashed horizontal line per
// full-cache result, a legend and a title.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "eval/result_row.hpp"

namespace foresight {

std::string accuracy_svg(const std::vector<ResultRow>& rows, std::string_view group,
                         std::string_view title);

}  // namespace foresight
