// The one exception type of foresight: a message naming the file, tensor or option and
// what is wrong with it. The CLI prints it and exits non-zero.
#pragma once
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace foresight {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace foresight
