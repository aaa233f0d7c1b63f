#include "model/gguf_tokenizer.hpp"

#include <span>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/pre_tokenizer.hpp"
#include "model/tokenizer_json.hpp"

namespace foresight {

namespace {

// llama.cpp's token types.
enum TokenType : int32_t { kNormal = 1, kControl = 3, kUserDefined = 4, kUnused = 5 };

struct PreTokenizerKind {
  std::string_view name;   // tokenizer.ggml.pre
  std::string_view regex;  // of the Split step before ByteLevel
  bool nfc, ignore_merges;
};
constexpr PreTokenizerKind kPreTokenizers[] = {
    {"qwen2", kQwenSplitPattern, true, false},
    {"llama-bpe", kLlama3SplitPattern, false, true},
};

// The tokenizer.json pipeline around BPE that a pre-tokenizer kind stands for.
Json pipeline_json(const PreTokenizerKind& kind) {
  Json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
  Json split = {{"type", "Split"},
                {"pattern", {{"Regex", kind.regex}}},
                {"behavior", "Isolated"},
                {"invert", false}};
  return {{"normalizer", kind.nfc ? Json{{"type", "NFC"}} : Json()},
          {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", {split, byte_level}}}},
          {"decoder", byte_level}};
}

// The kind whose pipeline a tokenizer.json has; Error when none.
const PreTokenizerKind& pre_tokenizer_kind(const Json& json, const std::string& file) {
  namespace tj = tokenizer_json;
  const Json& model = tj::member(json, "tokenizer.json", "model");
  const bool ignore_merges = tj::bool_member(model, "model", "ignore_merges", false);
  const Json& normalizer = json.value("normalizer", Json());
  const Json& pre = json.value("pre_tokenizer", Json());
  std::string regex;
  bool pipeline_known = false;
  if (pre.is_object() && pre.value("type", "") == "Sequence" && pre.contains("pretokenizers") &&
      pre["pretokenizers"].is_array() && pre["pretokenizers"].size() == 2) {
    const Json& split = pre["pretokenizers"][0];
    const Json& byte_level = pre["pretokenizers"][1];
    pipeline_known =
        split.value("type", "") == "Split" && split.value("behavior", "") == "Isolated" &&
        !tj::bool_member(split, "split", "invert", false) && split.contains("pattern") &&
        split["pattern"].is_object() && split["pattern"].contains("Regex") &&
        split["pattern"]["Regex"].is_string() && byte_level.value("type", "") == "ByteLevel" &&
        !tj::bool_member(byte_level, "byte_level", "add_prefix_space", true) &&
        !tj::bool_member(byte_level, "byte_level", "use_regex", true);
    if (pipeline_known) regex = split["pattern"]["Regex"].get<std::string>();
  }
  const bool nfc = normalizer.is_object() && normalizer.value("type", "") == "NFC";
  if (pipeline_known && (normalizer.is_null() || nfc))
    for (const PreTokenizerKind& kind : kPreTokenizers)
      if (kind.regex == regex && kind.nfc == nfc && kind.ignore_merges == ignore_merges)
        return kind;
  fail(
      "{}: its normalizer, pre_tokenizer and ignore_merges are not those of a GGUF "
      "tokenizer.ggml.pre this exporter knows (qwen2: the Qwen2/Qwen3 tokenizers; llama-bpe: "
      "Llama 3's)",
      file);
}

// The merges as GGUF writes them, "left right"; Error for a token holding a space, which that
// form cannot tell apart (byte-level tokens spell a space as "Ġ").
std::vector<std::string> gguf_merges(const Json& json, const std::string& file) {
  std::vector<std::string> merges;
  const Json& list = json["model"].value("merges", Json::array());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Json& m = list[i];
    std::string left, right;
    if (m.is_string()) {  // already "left right"
      const std::string text = m.get<std::string>();
      const std::size_t space = text.find(' ', 1);
      left = text.substr(0, space),
      right = space == std::string::npos ? "" : text.substr(space + 1);
    } else {
      left = m.at(0).get<std::string>(), right = m.at(1).get<std::string>();
    }
    if (left.empty() || right.empty() || left.find(' ') != std::string::npos ||
        right.find(' ') != std::string::npos)
      fail("{}: model.merges[{}] has a token with a space, which GGUF cannot write", file, i);
    merges.push_back(left + " " + right);
  }
  return merges;
}

// The id of tokenizer_config.json's pad_token ("<|endoftext|>" or {"content": ...}), or -1.
int32_t pad_token_id(const std::filesystem::path& model_dir, const Tokenizer& tokenizer) {
  const auto path = model_dir / "tokenizer_config.json";
  if (!std::filesystem::exists(path)) return -1;
  const Json json = read_json_file(path);
  const Json pad = json.is_object() ? json.value("pad_token", Json()) : Json();
  const Json content = pad.is_object() ? pad.value("content", Json()) : pad;
  if (!content.is_string()) return -1;
  const auto id = tokenizer.token_id(content.get<std::string>());
  if (!id) fail("{}: pad_token '{}' is not a token", path.string(), content.get<std::string>());
  return *id;
}

}  // namespace

void add_gguf_tokenizer(GgufWriter& out, const std::filesystem::path& model_dir,
                        const ModelConfig& config) {
  const auto path = model_dir / "tokenizer.json";
  const std::string file = path.string();
  const Tokenizer tokenizer = Tokenizer::load(path);  // refuses what foresight cannot encode
  const Json json = read_json_file(path);
  const PreTokenizerKind& kind = pre_tokenizer_kind(json, file);
  for (const Json& added : json.value("added_tokens", Json::array()))
    for (const char* flag : {"lstrip", "rstrip", "single_word"})
      if (added.value(flag, false))
        fail("{}: added token '{}' has {}, which GGUF cannot say", file, added.value("content", ""),
             flag);
  if (tokenizer.vocab_size() > config.vocab)
    fail("{}: {} token ids, more than the model's vocab_size {}", file, tokenizer.vocab_size(),
         config.vocab);

  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  for (int32_t id = 0; id < config.vocab; ++id) {
    if (!tokenizer.has_token(id)) {
      tokens.push_back(fmt::format("[PAD{}]", id));
      types.push_back(kUnused);
      continue;
    }
    tokens.push_back(tokenizer.token(id));
    types.push_back(tokenizer.is_special(id) ? kControl
                    : tokenizer.is_added(id) ? kUserDefined
                                             : kNormal);
  }
  out.add_string("tokenizer.ggml.model", "gpt2");
  out.add_string("tokenizer.ggml.pre", kind.name);
  out.add_strings("tokenizer.ggml.tokens", tokens);
  out.add_i32s("tokenizer.ggml.token_type", types);
  out.add_strings("tokenizer.ggml.merges", gguf_merges(json, file));
  // foresight's encode adds no BOS; llama.cpp then tokenizes a prompt to the same ids.
  out.add_bool("tokenizer.ggml.add_bos_token", false);
  if (const int32_t pad = pad_token_id(model_dir, tokenizer); pad >= 0)
    out.add_u32("tokenizer.ggml.padding_token_id", pad);
}

Tokenizer gguf_tokenizer(const GgufFile& file) {
  const std::string name = file.path().string();
  if (file.string("tokenizer.ggml.model") != "gpt2")
    fail("{}: key 'tokenizer.ggml.model': '{}' is not supported (only gpt2, byte-level BPE)", name,
         file.string("tokenizer.ggml.model"));
  const std::string_view pre = file.string("tokenizer.ggml.pre");
  const PreTokenizerKind* kind = nullptr;
  for (const PreTokenizerKind& k : kPreTokenizers)
    if (k.name == pre) kind = &k;
  if (kind == nullptr)
    fail("{}: key 'tokenizer.ggml.pre': '{}' is not supported (qwen2, llama-bpe)", name, pre);

  const std::span<const std::string_view> tokens = file.strings("tokenizer.ggml.tokens");
  std::vector<int64_t> types(tokens.size(), kNormal);
  if (file.contains("tokenizer.ggml.token_type"))
    types = file.integers("tokenizer.ggml.token_type");
  if (types.size() != tokens.size())
    fail("{}: key 'tokenizer.ggml.token_type' has {} entries for {} tokens", name, types.size(),
         tokens.size());
  Json vocab = Json::object(), added = Json::array();
  for (std::size_t id = 0; id < tokens.size(); ++id) {
    const std::string token(tokens[id]);
    if (types[id] == kUnused) continue;
    if (types[id] == kNormal) {
      if (!vocab.emplace(token, id).second)
        fail("{}: key 'tokenizer.ggml.tokens': token {} ('{}') repeats an earlier one", name, id,
             token);
    } else if (types[id] == kControl || types[id] == kUserDefined) {
      added.push_back({{"id", id},
                       {"content", token},
                       {"special", types[id] == kControl},
                       {"normalized", false}});
    } else {
      fail(
          "{}: key 'tokenizer.ggml.token_type': token {} has type {}, not supported (1 normal, "
          "3 control, 4 user-defined, 5 unused)",
          name, id, types[id]);
    }
  }
  Json merges = Json::array();
  for (std::string_view merge : file.strings("tokenizer.ggml.merges")) {
    const std::size_t space = merge.find(' ', 1);
    if (space == std::string_view::npos)
      fail("{}: key 'tokenizer.ggml.merges': '{}' is not two tokens", name, merge);
    merges.push_back({merge.substr(0, space), merge.substr(space + 1)});
  }
  Json json = pipeline_json(*kind);
  json["added_tokens"] = std::move(added);
  json["model"] = {{"type", "BPE"},
                   {"vocab", std::move(vocab)},
                   {"merges", std::move(merges)},
                   {"ignore_merges", kind->ignore_merges}};
  return Tokenizer::from_json(json, name + " (tokenizer.ggml.*)");
}

}  // namespace foresight
