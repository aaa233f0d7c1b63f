#include "model/chat.hpp"

namespace foresight {

std::string format_chat_prompt(std::string_view user_message, bool open_think,
                               std::string_view system_message) {
  std::string prompt;
  if (!system_message.empty()) {
    prompt += "<|im_start|>system\n";
    prompt += system_message;
    prompt += "<|im_end|>\n";
  }
  prompt += "<|im_start|>user\n";
  prompt += user_message;
  prompt += "<|im_end|>\n<|im_start|>assistant\n";
  if (open_think) prompt += "<think>\n";
  return prompt;
}

}  // namespace foresight
