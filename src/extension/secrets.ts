import * as vscode from 'vscode';
import { EnvSecretSource, SECRETS, type SecretName, type SecretSource } from '../core';

/**
 * Secrets live in VS Code SecretStorage (the OS keychain where there is one); environment variables are the
 * fallback, as in the CLI. Values are never logged or written to the project.
 */
export class SecretStore implements SecretSource {
  private readonly env = new EnvSecretSource();

  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(name: SecretName): Promise<string | undefined> {
    return (await this.storage.get(key(name))) ?? (await this.env.get(name));
  }

  set(name: SecretName, value: string): Thenable<void> {
    return this.storage.store(key(name), value);
  }

  delete(name: SecretName): Thenable<void> {
    return this.storage.delete(key(name));
  }

  static describe(name: SecretName): string {
    return SECRETS[name].label;
  }
}

function key(name: SecretName): string {
  return `brightrun.${name}`;
}
