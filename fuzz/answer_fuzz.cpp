// Answer extraction and grading on arbitrary model output: they never throw, and comparing
// answers does not depend on their order. The input is "output\0reference".
#include <algorithm>

#include "fuzz_input.hpp"
#include "tasks/answer.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = std::min(input.find('\0'), input.size());
  const std::string_view output = input.substr(0, cut),
                         reference = input.substr(std::min(cut + 1, size));
  if (const auto boxed = last_boxed(output); boxed && output.find(*boxed) == std::string_view::npos)
    std::abort();
  if (math_answers_equal(output, reference) != math_answers_equal(reference, output)) std::abort();
  final_answer_line(output);
  ends_with_answer_line(output);
  for (GraderKind kind : {GraderKind::Boxed, GraderKind::AnswerLine})
    grade(kind, output, reference);
  return 0;
}
