#include "model/chat.hpp"

#include <vector>

namespace foresight {

std::string format_chat_prompt(std::string_view user_message, bool open_think,
                               std::string_view system_message) {
  std::vector<ChatMessage> messages;
  if (!system_message.empty()) messages.push_back({"system", std::string(system_message)});
  messages.push_back({"user", std::string(user_message)});
  return format_chat_messages(messages, open_think);
}

std::string format_chat_messages(std::span<const ChatMessage> messages, bool open_think) {
  std::string prompt;
  for (const ChatMessage& m : messages) {
    prompt += "<|im_start|>";
    prompt += m.role;
    prompt += "\n";
    prompt += m.content;
    prompt += "<|im_end|>\n";
  }
  prompt += "<|im_start|>assistant\n";
  if (open_think) prompt += "<think>\n";
  return prompt;
}

}  // namespace foresight
