#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/json_file.hpp"
#include "model/tokenizer.hpp"

namespace foresight::cli {

namespace {

struct Options {
  std::string tokenizer, input, text;
  bool decode = false, skip_special = false;
};

// Decoded bytes may be invalid UTF-8 (a character cut between tokens); JSON cannot hold
// that, so such bytes are written as U+FFFD.
void print_line(const Json& line) {
  std::string out = line.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
}

// Adds "ids" to a {"text": ...} line, or "text" to an {"ids": [...]} line with --decode.
Json process(const Tokenizer& tokenizer, Json line, const Options& o, const std::string& where) {
  if (!line.is_object()) fail("{}: expected a JSON object, found {}", where, line.type_name());
  if (o.decode) {
    auto ids = line.find("ids");
    if (ids == line.end() || !ids->is_array()) fail("{}: expected an \"ids\" array", where);
    std::vector<int32_t> values;
    for (const Json& id : *ids) {
      if (!id.is_number_integer() || id.get<int64_t>() < INT32_MIN ||
          id.get<int64_t>() > INT32_MAX) {
        fail("{}: \"ids\" holds {}, not a token id", where, id.dump());
      }
      values.push_back(static_cast<int32_t>(id.get<int64_t>()));
    }
    try {
      line["text"] = tokenizer.decode(values, o.skip_special);
    } catch (const Error& e) {
      fail("{}: {}", where, e.what());
    }
  } else {
    auto text = line.find("text");
    if (text == line.end() || !text->is_string()) fail("{}: expected a \"text\" string", where);
    line["ids"] = tokenizer.encode(text->get_ref<const std::string&>());
  }
  return line;
}

// --text with --decode: ids separated by spaces or commas.
Json ids_from_text(const std::string& text) {
  std::string spaced = text;
  for (char& c : spaced) c = c == ',' ? ' ' : c;
  std::istringstream in(spaced);
  Json ids = Json::array();
  std::string word;
  while (in >> word) {
    std::size_t used = 0;
    long long id = 0;
    try {
      id = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != word.size()) fail("--text: \"{}\" is not a token id", word);
    ids.push_back(id);
  }
  return ids;
}

void run(const Options& o) {
  const Tokenizer tokenizer = Tokenizer::load(o.tokenizer);
  if (o.input.empty()) {
    Json line = o.decode ? Json{{"ids", ids_from_text(o.text)}} : Json{{"text", o.text}};
    print_line(process(tokenizer, std::move(line), o, "--text"));
    return;
  }
  std::ifstream file;
  if (o.input != "-") {
    file.open(o.input, std::ios::binary);
    if (!file) fail("{}: cannot open file", o.input);
  }
  std::istream& in = o.input == "-" ? std::cin : file;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    std::string where = fmt::format("{}:{}", o.input == "-" ? "<stdin>" : o.input, number);
    print_line(process(tokenizer, parse_json(text, where), o, where));
  }
  if (in.bad()) fail("{}: read failed", o.input);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "tokenize", "encode text to token ids (or decode ids to text), one JSON object per line");
  auto o = std::make_shared<Options>();
  cmd->add_option("--tokenizer", o->tokenizer, "a Hugging Face tokenizer.json")->required();
  auto* input = cmd->add_option("--input", o->input,
                                "JSONL file of {\"text\": ...} lines ({\"ids\": [...]} with "
                                "--decode); - reads stdin");
  auto* text = cmd->add_option("--text", o->text, "one text (with --decode: ids, e.g. \"1,2,3\")");
  input->excludes(text);
  cmd->add_flag("--decode", o->decode, "decode ids to text instead of encoding");
  cmd->add_flag("--skip-special", o->skip_special, "with --decode: leave special tokens out");
  cmd->callback([o, input, text] {
    if (input->count() == 0 && text->count() == 0) fail("tokenize: give --input or --text");
    run(*o);
  });
}

}  // namespace foresight::cli
