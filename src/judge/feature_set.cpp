#include "judge/feature_set.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "kv/attention_stats.hpp"

namespace foresight {

JudgeFeatureSet JudgeFeatureSet::parse(std::string_view text, std::string_view option) {
  if (text == "spec") return spec();
  if (text == "default") return standard();
  std::vector<std::string_view> parts;
  for (size_t begin = 0; begin <= text.size();) {
    const size_t end = std::min(text.find(',', begin), text.size());
    parts.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  JudgeFeatureSet set;
  set.unrotated_keys = !parts.empty() && parts[0] == "unrotated-key";
  set.log_stats = parts.size() > 2 && parts[2] == "logstats8";
  set.position = parts.size() >= 4 && parts[3] == "position";
  set.key_similarity = set.unrotated_keys && parts.back() == "key-similarity";
  if (set.name() != text)
    fail(
        "{}: '{}' is not a feature set: spec, default, or '{{key|unrotated-key}},value,"
        "{{stats8|logstats8}}' optionally followed by ',position', then (with unrotated-key) by "
        "',key-similarity'",
        option, text);
  return set;
}

int JudgeFeatureSet::count(int head_dim, int group) const {
  return 2 * head_dim + kJudgeStats * group + (position ? kPositionInputs : 0) +
         (key_similarity ? kSimilarityInputs : 0);
}

std::string JudgeFeatureSet::name() const {
  std::string s = unrotated_keys ? "unrotated-key" : "key";
  s += log_stats ? ",value,logstats8" : ",value,stats8";
  if (position) s += ",position";
  if (key_similarity) s += ",key-similarity";
  return s;
}

}  // namespace foresight
