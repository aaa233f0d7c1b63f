// The chat prompt of the Qwen models (ChatML turns). A reasoning model opens its answer with
// "<think>\n"; a prompt may end with that tag already opened to start the model thinking, as
// Qwen3's chat template does with thinking enabled. Plain prompts are the text itself and need
// no formatting.
#pragma once
#include <span>
#include <string>
#include <string_view>

namespace foresight {

// <|im_start|>system\n{system_message}<|im_end|>\n   (only when system_message is not empty)
// <|im_start|>user\n{user_message}<|im_end|>\n<|im_start|>assistant\n[<think>\n]
std::string format_chat_prompt(std::string_view user_message, bool open_think,
                               std::string_view system_message = {});

struct ChatMessage {
  std::string role;  // system, user or assistant
  std::string content;
};

// <|im_start|>{role}\n{content}<|im_end|>\n for each message, then the assistant's turn opened
// as above: a conversation of any length (a server's messages).
std::string format_chat_messages(std::span<const ChatMessage> messages, bool open_think);

}  // namespace foresight
