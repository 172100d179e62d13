import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in OpenAI-compatible server on 127.0.0.1 for tests: POST /v1/chat/completions answers in the real
 * response shape (id, object "chat.completion", created, model, choices[{index, message{role, content},
 * finish_reason}], usage{prompt_tokens, completion_tokens, total_tokens}). Scripted replies are consumed in
 * order; when none is left, `answer` makes the default reply.
 */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** Raw body (for errors); otherwise a completion with this content and finish reason. */
  body?: unknown;
  content?: string;
  finishReason?: string;
  /** Never answer (a time-out). */
  hang?: boolean;
  /** Wait before answering, ms. */
  delayMs?: number;
}

export interface SeenRequest {
  at: number;
  body: { model: string; messages: Array<{ role: string; content: string }>; max_tokens?: number; temperature?: number };
  authorization: string | undefined;
}

export interface FakeOpenAiServer {
  baseURL: string;
  requests: SeenRequest[];
  script: ScriptedReply[];
  close(): Promise<void>;
}

/** Default answer: n pairs about the passage, n read from the prompt ("Write N question"). */
export function defaultAnswer(body: SeenRequest['body']): string {
  const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const n = Number(/Write (\d+) question/.exec(user)?.[1] ?? 1);
  const passage = /<passage>\n([\s\S]*?)\n<\/passage>/.exec(user)?.[1] ?? user;
  return JSON.stringify({ pairs: Array.from({ length: n }, (_, i) => ({ question: `Q${i + 1} about: ${passage.slice(0, 40)}`, answer: `A${i + 1}: ${passage}` })) });
}

export async function startFakeOpenAiServer(answer: (body: SeenRequest['body']) => string = defaultAnswer): Promise<FakeOpenAiServer> {
  const requests: SeenRequest[] = [];
  const script: ScriptedReply[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SeenRequest['body'];
      requests.push({ at: Date.now(), body, authorization: req.headers.authorization });
      const step = script.shift() ?? {};
      const send = () => {
        if (step.hang) {
          hanging.add(res);
          return;
        }
        const status = step.status ?? 200;
        const content = step.content ?? answer(body);
        const payload = step.body ?? (status === 200
          ? {
              id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
              choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: step.finishReason ?? 'stop', logprobs: null }],
              usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
            }
          : { error: { message: `scripted ${status}`, type: 'server_error', code: null } });
        res.writeHead(status, { 'content-type': 'application/json', ...step.headers }).end(JSON.stringify(payload));
      };
      if (step.delayMs) setTimeout(send, step.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
