// The body of a completion request, as `foresight serve` reads it from any client: the first
// byte picks the endpoint (odd: chat). Bad input must end in a FieldError naming the request's
// field (the server answers 400 with it as `param`); anything else escaping is a finding.
#include <cstdio>

#include "fuzz_input.hpp"
#include "serve/completion_request.hpp"

using namespace foresight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool chat = data[0] % 2 == 1;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const CompletionRequest r = parse_completion_request(body, chat);
    // What parses is what the server may rely on.
    if (chat != r.chat || (chat && r.messages.empty()) || r.stop.size() > 4) std::abort();
    if (r.max_tokens && *r.max_tokens < 1) std::abort();
    for (const std::string& s : r.stop)
      if (s.empty()) std::abort();
  } catch (const FieldError& e) {
    if (e.field().empty()) std::abort();
  } catch (const Error& e) {
    std::fprintf(stderr, "error without a field: %s\n", e.what());
    std::abort();
  }
  return 0;
}
