import type { ChatMessage } from './types';

// Chat formats: the shapes a chat record takes in exported files.

/** OpenAI / TRL / LLaMA-Factory "openai" style: `{"messages":[{"role","content"}]}`. */
export function toOpenAiMessages(messages: readonly ChatMessage[]): { messages: Array<{ role: string; content: string }> } {
  return { messages: messages.map((m) => ({ role: m.role, content: m.content })) };
}

const SHAREGPT_FROM: Record<ChatMessage['role'], string> = { system: 'system', user: 'human', assistant: 'gpt' };

/** ShareGPT style (FastChat, LLaMA-Factory "sharegpt", axolotl): `{"conversations":[{"from","value"}]}`, from ∈ system | human | gpt. */
export function toShareGpt(messages: readonly ChatMessage[]): { conversations: Array<{ from: string; value: string }> } {
  return { conversations: messages.map((m) => ({ from: SHAREGPT_FROM[m.role], value: m.content })) };
}

/** Shapes a chat record may take in exported files (brightrun.json `records.chatFormat`). */
export type ChatFormat = 'openai' | 'sharegpt';

/** A chat record's messages in the exported shape: `{messages}` (openai) or `{conversations}` (sharegpt). Stored records always keep `messages`. */
export function chatExportShape(messages: readonly ChatMessage[], format: ChatFormat): { messages: Array<{ role: string; content: string }> } | { conversations: Array<{ from: string; value: string }> } {
  return format === 'sharegpt' ? toShareGpt(messages) : toOpenAiMessages(messages);
}

/** The role of a ShareGPT `from` (human/user, gpt/assistant/chatgpt/bard/bing/model, system); undefined for tool turns and others. */
export function roleOfShareGptFrom(from: string): ChatMessage['role'] | undefined {
  const f = from.toLowerCase();
  if (f === 'human' || f === 'user') return 'user';
  if (['gpt', 'assistant', 'chatgpt', 'bard', 'bing', 'model'].includes(f)) return 'assistant';
  if (f === 'system') return 'system';
  return undefined;
}

