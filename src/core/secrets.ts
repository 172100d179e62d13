/**
 * Secrets (Hub tokens, cloud API keys) are read from VS Code SecretStorage in the extension and from
 * environment variables in the CLI. They are never written to project files, logs or exports.
 */
export type SecretName = 'huggingface.token' | 'runpod.apiKey' | 'vast.apiKey' | 'openai.apiKey';

export const SECRETS: Record<SecretName, { label: string; env: string }> = {
  'huggingface.token': { label: 'Hugging Face access token', env: 'HF_TOKEN' },
  'runpod.apiKey': { label: 'RunPod API key', env: 'RUNPOD_API_KEY' },
  'vast.apiKey': { label: 'Vast.ai API key', env: 'VAST_API_KEY' },
  /** Key of the OpenAI-compatible endpoint used to generate question–answer records (none for a local Ollama). */
  'openai.apiKey': { label: 'OpenAI-compatible API key', env: 'OPENAI_API_KEY' },
};

export interface SecretSource {
  get(name: SecretName): Promise<string | undefined>;
}

/** Reads secrets from the environment: what the CLI uses, and the extension's fallback. */
export class EnvSecretSource implements SecretSource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(name: SecretName): Promise<string | undefined> {
    const value = this.env[SECRETS[name].env]?.trim();
    return value ? value : undefined;
  }
}

/** Replaces every occurrence of the given secret values in `text`, for logs and error messages. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}
