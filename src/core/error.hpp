// The exception type of foresight: a message naming the file, tensor or setting and what is
// wrong with it. The CLI prints it and exits non-zero.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace foresight {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An Error in a setting a caller chose, named as the library names it (`max_new_tokens`):
// each front end renames it, the CLI as its flag (`--max-new-tokens`), a server as its request
// field. The message is the name followed by `rest` (" must be >= 0, got -1", ": unknown ...").
class FieldError : public Error {
 public:
  FieldError(std::string field, std::string rest)
      : Error(field + rest), field_(std::move(field)), rest_(std::move(rest)) {}
  const std::string& field() const { return field_; }
  const std::string& rest() const { return rest_; }

 private:
  std::string field_, rest_;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void fail_field(std::string_view field, fmt::format_string<Args...> rest,
                             Args&&... args) {
  throw FieldError(std::string(field), fmt::format(rest, std::forward<Args>(args)...));
}

}  // namespace foresight
