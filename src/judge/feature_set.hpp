// Which inputs the judge reads, as named in its file's metadata ("features"). The paper's set
// (docs/method.md section 5) is "key,value,stats8": the post-RoPE key, the value and the eight raw
// statistics of each query head of the group. The project's default adds what the paper's judge
// cannot see and standardises everything:
//   - "unrotated-key": the key with its rotary embedding undone, so the same content reads the
//     same at any position (a post-RoPE key also encodes the absolute position, which a judge
//     trained on short traces has never seen rotated that far);
//   - "logstats8": the statistics as log(x + 1e-6) (they span eight decades, the min ~1e-8);
//   - "position": log(1 + age in tokens), an in-prompt flag, and position / current length;
//   - "key-similarity" (after "unrotated-key"'s list only): the largest cosine similarity of the
//     candidate's unrotated key with that of a newer entry of the head, and with an older one.
//     Every other input describes a candidate alone; these say whether the cache holds a later
//     token like it (a register's next binding makes the old one dead) or an earlier one.
// Every set but the paper's is standardised per (layer, KV head, input) with a mean and standard
// deviation measured on training data and stored in the judge file.
#pragma once
#include <string>
#include <string_view>

namespace foresight {

constexpr int kPositionInputs = 3;    // log1p(age), in prompt, position / length
constexpr int kSimilarityInputs = 2;  // most similar newer key, most similar older key
constexpr float kLogStatsEps = 1e-6f;

struct JudgeFeatureSet {
  bool unrotated_keys = false;
  bool log_stats = false;
  bool position = false;
  bool key_similarity = false;

  static JudgeFeatureSet spec() { return {}; }
  static JudgeFeatureSet standard() { return {true, true, true}; }
  // "spec", "default" or a list such as "key,value,logstats8,position"; Error naming `option`.
  static JudgeFeatureSet parse(std::string_view text, std::string_view option);

  bool is_spec() const { return !unrotated_keys && !log_stats && !position && !key_similarity; }
  bool standardised() const { return !is_spec(); }
  int count(int head_dim, int group) const;  // F
  std::string name() const;                  // the metadata's list, e.g. "key,value,stats8"
  bool operator==(const JudgeFeatureSet&) const = default;
};

}  // namespace foresight
