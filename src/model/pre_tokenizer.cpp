#include "model/pre_tokenizer.hpp"

#include "core/error.hpp"
#include "model/tokenizer_json.hpp"

namespace foresight {
namespace {

// The regex ByteLevel uses when "use_regex" is true (GPT-2's).
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

Regex compile(std::string_view pattern, bool literal, const std::string& where) {
  try {
    return Regex(pattern, literal);
  } catch (const Error& e) {
    fail("{}: {}", where, e.what());
  }
}

// "Isolated": the matches and the stretches between them all become pieces, in order.
void split_isolated(const Regex& regex, std::string_view piece, std::vector<std::string>& out) {
  std::size_t done = 0;
  for (auto [begin, end] : regex.find_all(piece)) {
    if (begin > done) out.emplace_back(piece.substr(done, begin - done));
    out.emplace_back(piece.substr(begin, end - begin));
    done = end;
  }
  if (done < piece.size()) out.emplace_back(piece.substr(done));
}

}  // namespace

PreTokenizer PreTokenizer::from_json(const Json& spec) {
  PreTokenizer pre;
  pre.add_spec(spec, "pre_tokenizer");
  if (!pre.byte_level_) {
    fail("pre_tokenizer: has no ByteLevel step; only byte-level BPE tokenizers are supported");
  }
  return pre;
}

void PreTokenizer::add_spec(const Json& spec, const std::string& where) {
  namespace tj = tokenizer_json;
  if (spec.is_null()) return;
  std::string type = tj::type_of(spec, where);
  if (type == "Sequence") {
    const Json& list = tj::member(spec, where, "pretokenizers");
    if (!list.is_array())
      fail("{}.pretokenizers: expected an array, found {}", where, list.type_name());
    for (std::size_t i = 0; i < list.size(); ++i) {
      add_spec(list[i], fmt::format("{}.pretokenizers[{}]", where, i));
    }
    return;
  }
  // The byte mapping happens in BPE, on raw bytes; a step after ByteLevel would see mapped
  // characters instead, which this design cannot reproduce.
  if (byte_level_) fail("{}: {} after ByteLevel is not supported", where, type);
  Step step;
  if (type == "Split") {
    std::string behavior = tj::string_member(spec, where, "behavior");
    if (behavior != "Isolated") {
      fail("{}.behavior: \"{}\" is not supported (only \"Isolated\")", where, behavior);
    }
    if (tj::bool_member(spec, where, "invert", false))
      fail("{}.invert: true is not supported", where);
    const Json& pattern = tj::member(spec, where, "pattern");
    if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string()) {
      step.regex = compile(pattern["Regex"].get<std::string>(), false, where + ".pattern.Regex");
    } else if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()) {
      step.regex = compile(pattern["String"].get<std::string>(), true, where + ".pattern.String");
    } else {
      fail("{}.pattern: expected {{\"Regex\": string}} or {{\"String\": string}}", where);
    }
  } else if (type == "ByteLevel") {
    // Defaults are those of the reference implementation when a field is absent.
    step.add_prefix_space = tj::bool_member(spec, where, "add_prefix_space", true);
    if (tj::bool_member(spec, where, "use_regex", true)) {
      step.regex = compile(kGpt2Pattern, false, where);
    }
    byte_level_ = true;
  } else {
    fail("{}: pre-tokenizer type \"{}\" is not supported (only Split, ByteLevel, Sequence)", where,
         type);
  }
  if (step.add_prefix_space || step.regex) steps_.push_back(std::move(step));
}

void PreTokenizer::split(std::string_view text, std::vector<std::string>& pieces) const {
  if (text.empty()) return;
  std::vector<std::string> current{std::string(text)}, next;
  for (const Step& step : steps_) {
    next.clear();
    for (std::string& piece : current) {
      if (step.add_prefix_space && piece.front() != ' ') piece.insert(piece.begin(), ' ');
      if (step.regex) {
        split_isolated(*step.regex, piece, next);
      } else {
        next.push_back(std::move(piece));
      }
    }
    current.swap(next);
  }
  for (std::string& piece : current) pieces.push_back(std::move(piece));
}

}  // namespace foresight
