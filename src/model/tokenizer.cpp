#include "model/tokenizer.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/added_tokens.hpp"
#include "model/bpe.hpp"
#include "model/byte_level.hpp"
#include "model/gguf_config.hpp"
#include "model/gguf_tokenizer.hpp"
#include "model/normalizer.hpp"
#include "model/pre_tokenizer.hpp"
#include "model/tokenizer_json.hpp"

namespace foresight {
namespace {

// Ids index dense tables; a corrupt file claiming id 2^31 must not allocate gigabytes.
constexpr int64_t kMaxVocabSize = int64_t{1} << 24;

enum class Kind : uint8_t { none, vocab, added, special };

void check_decoder(const Json& spec) {
  // Decoding is always byte-level; a file that says otherwise would decode differently.
  std::string type = tokenizer_json::type_of(spec, "decoder");
  if (type != "ByteLevel") fail("decoder: type \"{}\" is not supported (only ByteLevel)", type);
}

}  // namespace

struct Tokenizer::Impl {
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  BpeModel model;
  AddedTokens added;
  // Indexed by id.
  std::vector<Kind> kinds;
  std::vector<std::string> tokens;  // as token_id() takes them
  std::vector<std::string> bytes;   // what decode() emits
  std::unordered_map<std::string, int32_t> added_ids;

  void build_id_tables(const std::string& source);
};

void Tokenizer::Impl::build_id_tables(const std::string& source) {
  int64_t size = 0;
  for (const auto& [token, id] : model.vocab()) size = std::max<int64_t>(size, int64_t{id} + 1);
  for (const AddedToken& token : added.tokens())
    size = std::max<int64_t>(size, int64_t{token.id} + 1);
  if (size > kMaxVocabSize) fail("{}: token ids up to {} are implausibly large", source, size - 1);
  // Real vocabularies number their tokens 0, 1, 2...; a few tokens with huge ids would make a
  // small file allocate tables of gigabytes.
  const auto count = static_cast<int64_t>(model.vocab().size() + added.tokens().size());
  if (size > 2 * count + 1024)
    fail("{}: token ids up to {} for only {} tokens; ids must be nearly contiguous", source,
         size - 1, count);
  kinds.assign(static_cast<std::size_t>(size), Kind::none);
  tokens.assign(kinds.size(), {});
  bytes.assign(kinds.size(), {});
  for (const auto& [token, id] : model.vocab()) {
    kinds[id] = Kind::vocab;
    tokens[id] = token;
    // A token outside the byte alphabet can only come from a hand-edited vocab; like the
    // reference decoder, emit its text as is.
    bytes[id] = byte_level_decode(token).value_or(token);
  }
  // Added tokens take precedence over a vocab entry with the same id.
  for (const AddedToken& token : added.tokens()) {
    kinds[token.id] = token.special ? Kind::special : Kind::added;
    tokens[token.id] = token.content;
    bytes[token.id] = token.content;
    added_ids[token.content] = token.id;
  }
}

Tokenizer Tokenizer::load(const std::filesystem::path& tokenizer_json) {
  return from_json(read_json_file(tokenizer_json), tokenizer_json.string());
}

Tokenizer Tokenizer::for_model(const std::filesystem::path& model) {
  if (is_gguf_model(model)) return gguf_tokenizer(GgufFile(model));
  return load(model / "tokenizer.json");
}

Tokenizer Tokenizer::from_json(const Json& json, const std::string& source) {
  auto impl = std::make_shared<Impl>();
  try {
    if (!json.is_object()) fail("expected a JSON object, found {}", json.type_name());
    if (!json.contains("model")) fail("missing field \"model\"");
    impl->normalizer = Normalizer::from_json(json.value("normalizer", Json()));
    impl->pre_tokenizer = PreTokenizer::from_json(json.value("pre_tokenizer", Json()));
    impl->model = BpeModel::from_json(json["model"]);
    impl->added = AddedTokens::from_json(json.value("added_tokens", Json()), impl->normalizer);
    if (!json.contains("decoder")) fail("missing field \"decoder\"");
    check_decoder(json["decoder"]);
  } catch (const Error& e) {
    fail("{}: {}", source, e.what());
  } catch (const Json::exception& e) {
    fail("{}: malformed tokenizer.json: {}", source, e.what());
  }
  impl->build_id_tables(source);
  return Tokenizer(std::move(impl));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  const Impl& t = *impl_;
  std::vector<int32_t> ids;
  std::vector<std::string> pieces;
  for (const TextSegment& raw : t.added.split(text, false)) {
    if (raw.id >= 0) {
      ids.push_back(raw.id);
      continue;
    }
    // Normalisation runs between added tokens, never across them, as in the reference.
    std::string normalized = t.normalizer.apply(text.substr(raw.begin, raw.end - raw.begin));
    for (const TextSegment& segment : t.added.split(normalized, true)) {
      if (segment.id >= 0) {
        ids.push_back(segment.id);
        continue;
      }
      pieces.clear();
      t.pre_tokenizer.split(
          std::string_view(normalized).substr(segment.begin, segment.end - segment.begin), pieces);
      for (const std::string& piece : pieces) t.model.encode(piece, ids);
    }
  }
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  const Impl& t = *impl_;
  std::string text;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size() || t.kinds[id] == Kind::none) {
      fail("decode: id {} names no token (vocab size {})", id, vocab_size());
    }
    if (skip_special && t.kinds[id] == Kind::special) continue;
    text += t.bytes[id];
  }
  return text;
}

std::optional<int32_t> Tokenizer::token_id(std::string_view token) const {
  std::string key(token);
  if (auto it = impl_->added_ids.find(key); it != impl_->added_ids.end()) return it->second;
  if (auto it = impl_->model.vocab().find(key); it != impl_->model.vocab().end()) return it->second;
  return std::nullopt;
}

const std::string& Tokenizer::token(int32_t id) const {
  if (id < 0 || id >= vocab_size() || impl_->kinds[id] == Kind::none) {
    fail("token: id {} names no token (vocab size {})", id, vocab_size());
  }
  return impl_->tokens[id];
}

int32_t Tokenizer::vocab_size() const { return static_cast<int32_t>(impl_->kinds.size()); }

bool Tokenizer::has_token(int32_t id) const {
  return id >= 0 && id < vocab_size() && impl_->kinds[id] != Kind::none;
}

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && id < vocab_size() && impl_->kinds[id] == Kind::special;
}

bool Tokenizer::is_added(int32_t id) const {
  return id >= 0 && id < vocab_size() &&
         (impl_->kinds[id] == Kind::added || impl_->kinds[id] == Kind::special);
}

}  // namespace foresight
