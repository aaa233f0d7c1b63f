// Drives `foresight serve` with the official openai client, as an application would: a
// completion, a chat completion and both streamed, with foresight's extension fields passed
// through. Prints what came back as one JSON object for tests/serve_test.cpp to compare with
// offline generation.
//   node client.mjs PORT
import OpenAI from "openai";

const client = new OpenAI({ baseURL: `http://127.0.0.1:${process.argv[2]}/v1`, apiKey: "none", maxRetries: 0 });
const sampling = { temperature: 0.8, top_k: 40, kv_evict_every: 8 };
const messages = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Hi there" },
];

const completion = await client.completions.create({ model: "m", prompt: "The cat sat", max_tokens: 24, seed: 7, ...sampling });
const chat = await client.chat.completions.create({ model: "m", messages, max_tokens: 20, seed: 3, ...sampling });
let completionStream = "";
for await (const chunk of await client.completions.create({ model: "m", prompt: "Once upon", max_tokens: 30, seed: 11, stream: true, ...sampling }))
  completionStream += chunk.choices[0]?.text ?? "";
let chatStream = "";
for await (const chunk of await client.chat.completions.create({ model: "m", messages, max_tokens: 20, seed: 3, stream: true, ...sampling }))
  chatStream += chunk.choices[0]?.delta?.content ?? "";
let refused = "";
try {
  await client.completions.create({ model: "m", prompt: "x", kv_policy: "nope" });
} catch (e) {
  refused = `${e.status} ${e.error?.param}`;
}
console.log(JSON.stringify({
  completion: completion.choices[0].text,
  completion_tokens: completion.usage.completion_tokens,
  chat: chat.choices[0].message.content,
  completion_stream: completionStream,
  chat_stream: chatStream,
  refused,
}));
