#include "model/bpe.hpp"

#include <mutex>
#include <queue>
#include <shared_mutex>

#include "core/error.hpp"
#include "model/byte_level.hpp"
#include "model/tokenizer_json.hpp"

namespace foresight {
namespace {

// Long pieces are rare (runs of one character, base64...) and would crowd the cache out.
constexpr std::size_t kMaxCachedPieceBytes = 256;
// A bound on memory for long-running processes; once full, new pieces are just not cached.
constexpr std::size_t kMaxCacheEntries = 1 << 16;

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

}  // namespace

struct BpeModel::Cache {
  std::shared_mutex mutex;
  std::unordered_map<std::string, std::vector<int32_t>> ids;
};

BpeModel BpeModel::from_json(const Json& spec) {
  namespace tj = tokenizer_json;
  std::string type = tj::type_of(spec, "model");
  if (type != "BPE") fail("model.type: \"{}\" is not supported (only BPE)", type);
  auto dropout = spec.find("dropout");
  if (dropout != spec.end() && !dropout->is_null() && !(dropout->is_number() && *dropout == 0)) {
    fail("model.dropout: BPE dropout is not supported");
  }
  for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    auto it = spec.find(affix);
    if (it != spec.end() && !it->is_null() &&
        !(it->is_string() && it->get_ref<const std::string&>().empty())) {
      fail("model.{}: not supported by byte-level BPE", affix);
    }
  }

  BpeModel model;
  model.ignore_merges_ = tj::bool_member(spec, "model", "ignore_merges", false);

  const Json& vocab = tj::member(spec, "model", "vocab");
  if (!vocab.is_object()) fail("model.vocab: expected an object, found {}", vocab.type_name());
  model.vocab_.reserve(vocab.size());
  std::unordered_map<int32_t, const std::string*> owner;
  owner.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
      fail("model.vocab[\"{}\"]: expected a non-negative integer id, found {}", token, id.dump());
    }
    auto [it, fresh] = model.vocab_.emplace(token, id.get<int32_t>());
    auto [other, unique] = owner.emplace(it->second, &it->first);
    if (!unique)
      fail("model.vocab: id {} is given to both \"{}\" and \"{}\"", it->second, *other->second,
           token);
  }
  for (int b = 0; b < 256; ++b) {
    const std::string& symbol = byte_level_char(static_cast<unsigned char>(b));
    auto it = model.vocab_.find(symbol);
    if (it == model.vocab_.end()) {
      fail(
          "model.vocab: missing the byte token \"{}\" (byte 0x{:02X}); byte-level BPE needs all 256",
          symbol, b);
    }
    model.byte_ids_[b] = it->second;
  }

  const Json& merges = tj::member(spec, "model", "merges");
  if (!merges.is_array()) fail("model.merges: expected an array, found {}", merges.type_name());
  model.merges_.reserve(merges.size());
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const Json& merge = merges[rank];
    std::string left, right;
    // Older files write a merge as "left right", newer ones as ["left", "right"].
    if (merge.is_string()) {
      const auto& text = merge.get_ref<const std::string&>();
      std::size_t space = text.find(' ');
      if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
        fail("model.merges[{}]: \"{}\" is not two tokens separated by one space", rank, text);
      }
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      fail("model.merges[{}]: expected \"left right\" or [\"left\", \"right\"], found {}", rank,
           merge.dump());
    }
    auto find = [&](const std::string& token, const char* role) {
      auto it = model.vocab_.find(token);
      if (it == model.vocab_.end())
        fail("model.merges[{}]: {} \"{}\" is not in the vocab", rank, role, token);
      return it->second;
    };
    int32_t left_id = find(left, "token"), right_id = find(right, "token");
    int32_t result = find(left + right, "merged token");
    // A repeated pair keeps its last rank, as the reference loader's map insertion does.
    model.merges_.insert_or_assign(pair_key(left_id, right_id),
                                   Merge{static_cast<int32_t>(rank), result});
  }
  model.cache_ = std::make_shared<Cache>();
  return model;
}

void BpeModel::encode(std::string_view piece, std::vector<int32_t>& ids) const {
  if (piece.empty()) return;
  if (piece.size() == 1) {
    ids.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
    return;
  }
  bool cacheable = piece.size() <= kMaxCachedPieceBytes;
  if (cacheable) {
    std::shared_lock lock(cache_->mutex);
    auto it = cache_->ids.find(std::string(piece));
    if (it != cache_->ids.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> result = merge_bytes(piece);
  ids.insert(ids.end(), result.begin(), result.end());
  if (cacheable) {
    std::unique_lock lock(cache_->mutex);
    if (cache_->ids.size() < kMaxCacheEntries) cache_->ids.emplace(piece, std::move(result));
  }
}

std::vector<int32_t> BpeModel::merge_bytes(std::string_view piece) const {
  if (ignore_merges_) {
    auto it = vocab_.find(byte_level_encode(piece));
    if (it != vocab_.end()) return {it->second};
  }
  // The symbols form a doubly linked list over the bytes; a merge keeps the left symbol and
  // unlinks the right one. A heap of candidate merges, checked lazily when popped, makes the
  // whole loop O(n log n): a 20k-byte run of one character must not be quadratic.
  const auto n = static_cast<int32_t>(piece.size());
  struct Symbol {
    int32_t id, prev, next;  // id -1: merged into its left neighbour
  };
  std::vector<Symbol> symbols(static_cast<std::size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    symbols[i] = {byte_ids_[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};
  }
  struct Candidate {
    int32_t rank, pos, left, right, result;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int32_t pos) {
    if (pos < 0) return;
    int32_t next = symbols[pos].next;
    if (next < 0) return;
    auto it = merges_.find(pair_key(symbols[pos].id, symbols[next].id));
    if (it != merges_.end()) {
      heap.push({it->second.rank, pos, symbols[pos].id, symbols[next].id, it->second.result});
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    // Stale if either side changed since it was pushed. A symbol only grows, so unchanged ids
    // mean the very same pair.
    Symbol& left = symbols[c.pos];
    if (left.id != c.left || left.next < 0 || symbols[left.next].id != c.right) continue;
    Symbol& right = symbols[left.next];
    left.id = c.result;
    right.id = -1;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.pos;
    consider(left.prev);
    consider(c.pos);
  }
  std::vector<int32_t> ids;
  for (int32_t i = 0; i >= 0; i = symbols[i].next) ids.push_back(symbols[i].id);
  return ids;
}

}  // namespace foresight
