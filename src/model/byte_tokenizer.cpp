#include "model/byte_tokenizer.hpp"

#include <map>

#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/byte_level.hpp"
#include "model/pre_tokenizer.hpp"

namespace foresight {
namespace {

Json byte_level_step() {
  return {{"type", "ByteLevel"},
          {"add_prefix_space", false},
          {"trim_offsets", false},
          {"use_regex", false}};
}

Json added_token(int32_t id, const char* content, bool special) {
  return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
          {"rstrip", false}, {"normalized", false}, {"special", special}};
}

}  // namespace

ByteTokenizer make_byte_level_tokenizer(
    std::span<const std::pair<std::string, std::string>> merges) {
  Json vocab = Json::object();
  std::map<std::string, int32_t> ids;  // raw bytes -> id, to check merges
  for (int b = 0; b < 256; ++b) {
    vocab[byte_level_char(static_cast<unsigned char>(b))] = b;
    ids[std::string(1, static_cast<char>(b))] = b;
  }
  Json merge_list = Json::array();
  for (std::size_t i = 0; i < merges.size(); ++i) {
    const auto& [left, right] = merges[i];
    for (const std::string* part : {&left, &right}) {
      if (!ids.contains(*part))
        fail("byte tokenizer merge {}: \"{}\" is not a token yet", i, *part);
    }
    auto id = static_cast<int32_t>(256 + i);
    if (!ids.emplace(left + right, id).second) {
      fail("byte tokenizer merge {}: \"{}\" is already a token", i, left + right);
    }
    vocab[byte_level_encode(left + right)] = id;
    merge_list.push_back(Json::array({byte_level_encode(left), byte_level_encode(right)}));
  }

  ByteTokenizer tok;
  tok.endoftext_id = static_cast<int32_t>(256 + merges.size());
  tok.im_start_id = tok.endoftext_id + 1;
  tok.im_end_id = tok.endoftext_id + 2;
  tok.think_id = tok.endoftext_id + 3;
  tok.think_end_id = tok.endoftext_id + 4;
  tok.vocab_size = tok.endoftext_id + 5;
  Json json = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", Json::array({added_token(tok.endoftext_id, "<|endoftext|>", true),
                                    added_token(tok.im_start_id, "<|im_start|>", true),
                                    added_token(tok.im_end_id, "<|im_end|>", true),
                                    added_token(tok.think_id, "<think>", false),
                                    added_token(tok.think_end_id, "</think>", false)})},
      {"normalizer", {{"type", "NFC"}}},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers", Json::array({{{"type", "Split"},
                                        {"pattern", {{"Regex", kQwenSplitPattern}}},
                                        {"behavior", "Isolated"},
                                        {"invert", false}},
                                       byte_level_step()})}}},
      {"post_processor", byte_level_step()},
      {"decoder", byte_level_step()},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", ""},
        {"end_of_word_suffix", ""},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"ignore_merges", false},
        {"vocab", std::move(vocab)},
        {"merges", std::move(merge_list)}}},
  };
  tok.json = json.dump(2) + "\n";
  return tok;
}

}  // namespace foresight
