import type { TextTokenizer } from '../../records/tokenizer';
import type { ChatMessage, TrainingRecord } from '../../records/types';

/**
 * A record as one training sequence for causal-LM fine-tuning: token ids and labels, with -100 (PyTorch's
 * CrossEntropyLoss `ignore_index`, which Hugging Face models use) on every token the model should not learn
 * to produce.
 *
 * Rendering (ChatML, the format of Qwen's chat template, tokenizer_config.json `chat_template` of Qwen/Qwen3,
 * without its optional `<think>` block):
 *
 *     <|im_start|>{role}\n{content}<|im_end|>\n      for every message, in order
 *
 * - chat: the messages as they are; labels on each assistant message's content and its `<|im_end|>`.
 * - instruction: one user message `{instruction}` (+ `\n\n{input}` when input is not empty), one assistant
 *   message `{output}`; labels on the output and its `<|im_end|>`.
 * - completion: `{text}<|endoftext|>`, every token labelled (continued pre-training).
 *
 * Pieces are encoded one by one (special tokens by id, the text between them by the tokenizer), so a special
 * token is never spelled by the data. Sequences longer than `maxTokens` are cut at `maxTokens` (`truncated`).
 */
export interface TrainingSequence {
  inputIds: number[];
  labels: number[];
  truncated: boolean;
}

export const IGNORE_INDEX = -100;

/** Ids of the ChatML special tokens in a vocabulary (each must encode to exactly one id). */
export interface ChatMlTokens {
  imStart: number;
  imEnd: number;
  endOfText: number;
}

export function chatMlTokens(tokenizer: TextTokenizer): ChatMlTokens {
  const one = (text: string): number => {
    const ids = tokenizer.encode(text);
    if (ids.length !== 1) throw new Error(`the ${tokenizer.name} vocabulary has no single token for ${text}`);
    return ids[0];
  };
  return { imStart: one('<|im_start|>'), imEnd: one('<|im_end|>'), endOfText: one('<|endoftext|>') };
}

export function trainingSequence(record: TrainingRecord, tokenizer: TextTokenizer, special: ChatMlTokens, maxTokens = Infinity): TrainingSequence {
  const ids: number[] = [];
  const labels: number[] = [];
  const add = (tokens: readonly number[], learn: boolean) => {
    for (const t of tokens) {
      ids.push(t);
      labels.push(learn ? t : IGNORE_INDEX);
    }
  };
  if (record.kind === 'completion') {
    add(tokenizer.encode(record.text), true);
    add([special.endOfText], true);
  } else {
    const messages: ChatMessage[] = record.kind === 'chat' ? record.messages : [
      { role: 'user', content: record.input ? `${record.instruction}\n\n${record.input}` : record.instruction },
      { role: 'assistant', content: record.output },
    ];
    const newline = tokenizer.encode('\n');
    for (const m of messages) {
      add([special.imStart], false);
      add(tokenizer.encode(`${m.role}\n`), false);
      const learn = m.role === 'assistant';
      add(tokenizer.encode(m.content), learn);
      add([special.imEnd], learn);
      add(newline, false);
    }
  }
  const truncated = ids.length > maxTokens;
  if (truncated) {
    ids.length = maxTokens;
    labels.length = maxTokens;
  }
  return { inputIds: ids, labels, truncated };
}
