#include "model/normalizer.hpp"

#include <cstdlib>
#include <memory>

#include <utf8proc.h>

#include "core/error.hpp"
#include "model/tokenizer_json.hpp"

namespace foresight {
namespace {

void append_nfc(std::string_view valid, std::string& out) {
  if (valid.empty()) return;
  utf8proc_uint8_t* composed = nullptr;
  // utf8proc_NFC with an explicit length rather than NUL termination, so text containing U+0000
  // is normalised whole.
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                   static_cast<utf8proc_ssize_t>(valid.size()), &composed,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) fail("NFC normalisation failed: {}", utf8proc_errmsg(n));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(composed, &std::free);
  out.append(reinterpret_cast<const char*>(composed), static_cast<std::size_t>(n));
}

void add_spec(const Json& spec, std::string_view where, bool& nfc_out) {
  if (spec.is_null()) return;
  std::string type = tokenizer_json::type_of(spec, where);
  if (type == "NFC") {
    nfc_out = true;
  } else if (type == "Sequence") {
    const Json& list = tokenizer_json::member(spec, where, "normalizers");
    if (!list.is_array())
      fail("{}.normalizers: expected an array, found {}", where, list.type_name());
    for (std::size_t i = 0; i < list.size(); ++i) {
      add_spec(list[i], fmt::format("{}.normalizers[{}]", where, i), nfc_out);
    }
  } else {
    fail("{}: normalizer type \"{}\" is not supported (only NFC or a Sequence of NFC)", where,
         type);
  }
}

}  // namespace

std::string nfc(std::string_view text) {
  // ASCII is always in NFC; most text is, so skip utf8proc for it.
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t run_begin = 0, i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                         static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (len > 0) {
      i += static_cast<std::size_t>(len);
      continue;
    }
    append_nfc(text.substr(run_begin, i - run_begin), out);
    out += text[i];  // the invalid byte, untouched
    run_begin = ++i;
  }
  append_nfc(text.substr(run_begin), out);
  return out;
}

Normalizer Normalizer::from_json(const Json& spec) {
  Normalizer normalizer;
  add_spec(spec, "normalizer", normalizer.nfc_);
  return normalizer;
}

}  // namespace foresight
