// The eviction schedule shared by every policy (docs/method.md section 1): tokens go through the
// model in chunks of L = evict_every; after each full chunk a (layer, KV head) holding more than B
// entries evicts down to exactly B, never touching the L newest entries or the first `sinks`.
// `--sinks prompt` (protect_prompt) makes every prompt token a sink, as far as the budget allows
// beside the window (the reference implementation's `--compression_content think`). `--recent`
// widens the protected window of newest tokens beyond L (H2O's and SnapKV's recent window): the
// policy then chooses only among older tokens, whatever the budget leaves beside the sinks.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace foresight {

struct EvictionSchedule {
  int budget = 0;         // B; 0 means no eviction (the full cache)
  int evict_every = 128;  // L
  int sinks = 0;
  bool protect_prompt = false;  // the sinks are the sequence's prompt, not `sinks` tokens
  int recent = 0;               // newest tokens never evicted (at least L), or, with
  int recent_percent = 0;       // recent_percent > 0, that share of the budget instead

  bool active() const { return budget > 0; }
  int capacity() const { return budget + evict_every; }  // the most entries a head ever holds
  // The chunk a position belongs to ends with this position.
  bool ends_chunk(int64_t position) const { return (position + 1) % evict_every == 0; }
  bool starts_chunk(int64_t position) const { return position % evict_every == 0; }
  // Entries a (layer, KV head) holds before the token at `position`: every earlier token
  // without a budget; with one, min(kL, B) after k whole chunks (an eviction leaves B, and
  // happens once kL exceeds B) plus the tokens of the current chunk.
  int64_t entries_before(int64_t position) const;
  // The first entries never evicted in a sequence whose prompt has `prompt_length` tokens: the
  // prompt, capped at B - L so that each eviction still has L candidates to drop; else `sinks`.
  int sinks_for(int64_t prompt_length) const;
  // The newest entries an eviction leaves alone beside `sinks` of them: `recent` (or its share of
  // B), at least L, and at most what B leaves beside the sinks.
  int recent_for(int sinks) const;
  void validate() const;  // Error naming the option when B cannot hold the protected window
  // Sets the sinks from --sinks: "" (keep `policy_default`), a whole number, or "prompt".
  void set_sinks(std::string_view text, int policy_default);
  std::string sinks_name() const;  // "prompt" or the number
  // Sets the window from --recent: "" (L alone), a whole number of tokens, or "P%" of B.
  void set_recent(std::string_view text);
  std::string recent_name() const;  // "25%", or the tokens (L when less or unset)
};

}  // namespace foresight
