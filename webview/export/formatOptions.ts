import type { ExportDraft } from '../../src/shared/protocol/exportPanel';
import { button, h } from '../shared/vscodeApi';
import { checkbox, errorSlot, field, select, textarea, textfield } from './controls';

/**
 * The main options of each format, as brightrun.json names them under the profile (docs/export-formats.md and
 * the project schema). An empty value removes the option, so the writer's default applies (named in the choice).
 */
type Spec =
  | { key: string; label: string; type: 'choice'; choices: ReadonlyArray<readonly [string, string]> }
  | { key: string; label: string; type: 'text' | 'int' | 'list'; placeholder?: string; hint?: string }
  | { key: string; label: string; type: 'bool'; hint?: string }
  | { key: string; label: string; type: 'jinja'; file: 'recordFile' | 'headerFile' | 'footerFile'; placeholder?: string };

const CODECS = [['', 'snappy (default)'], ['gzip', 'gzip'], ['brotli', 'brotli'], ['zstd', 'zstd (Node 22.15+)'], ['uncompressed', 'uncompressed']] as const;

export const FORMAT_OPTIONS: Readonly<Record<string, readonly Spec[]>> = {
  hf: [
    { key: 'files', label: 'Data files', type: 'choice', choices: [['', 'Parquet (default)'], ['jsonl', 'JSONL']] },
    { key: 'codec', label: 'Parquet codec', type: 'choice', choices: CODECS },
    { key: 'license', label: 'Card licence', type: 'text', placeholder: 'e.g. apache-2.0 (default unknown)' },
    { key: 'language', label: 'Card language', type: 'list', placeholder: 'e.g. en, de', hint: 'ISO 639 codes, comma-separated' },
    { key: 'title', label: 'Card title', type: 'text', placeholder: 'default: the export name' },
  ],
  json: [{ key: 'pretty', label: 'Pretty (indented) JSON', type: 'bool' }],
  csv: [
    { key: 'delimiter', label: 'Delimiter', type: 'choice', choices: [['', ', comma (default)'], [';', '; semicolon'], ['\t', 'tab'], ['|', '| pipe']] },
    { key: 'encoding', label: 'Encoding', type: 'choice', choices: [['', 'UTF-8 (default)'], ['utf-8-bom', 'UTF-8 with BOM'], ['utf-16le', 'UTF-16LE with BOM (Excel; Python: utf-16)'], ['windows-1252', 'Windows-1252']] },
    { key: 'quote', label: 'Quote', type: 'text', placeholder: '" (default)' },
    { key: 'header', label: 'Header row', type: 'bool', hint: 'on by default' },
  ],
  parquet: [
    { key: 'codec', label: 'Codec', type: 'choice', choices: CODECS },
    { key: 'rowGroupRows', label: 'Rows per row group', type: 'int', placeholder: '10000 (default)' },
  ],
  pytorch: [
    { key: 'tokenizer', label: 'Tokenizer', type: 'choice', choices: [['', 'none: JSONL and dataset.py (default)'], ['qwen3', 'qwen3: also token ids in safetensors']] },
    { key: 'maxTokens', label: 'Max tokens per example', type: 'int', placeholder: 'no limit' },
  ],
  'llama-factory': [
    { key: 'style', label: 'Style', type: 'choice', choices: [['', 'auto (default): alpaca for instructions, sharegpt for chat'], ['alpaca', 'alpaca'], ['sharegpt', 'sharegpt']] },
    { key: 'name', label: 'Dataset name', type: 'text', placeholder: 'default: the export name' },
  ],
  axolotl: [{ key: 'pathPrefix', label: 'Path prefix in datasets.yml', type: 'text', placeholder: 'e.g. data/' }],
  template: [
    { key: 'record', label: 'Record template (Jinja)', type: 'jinja', file: 'recordFile', placeholder: '{{ record.text }}' },
    { key: 'header', label: 'Header (once per file)', type: 'jinja', file: 'headerFile' },
    { key: 'footer', label: 'Footer (once per file)', type: 'jinja', file: 'footerFile' },
    { key: 'extension', label: 'File extension', type: 'text', placeholder: 'txt (default)' },
  ],
};

export interface OptionActions {
  /** The draft changed; `structural` when the form must be drawn again (a control appeared or went). */
  changed(structural?: boolean): void;
  pickTemplate(option: 'recordFile' | 'headerFile' | 'footerFile', done: (path: string | undefined) => void): void;
}

/** The option fields of one format, editing `draft.options[format]`. */
export function formatOptions(draft: ExportDraft, format: string, actions: OptionActions): HTMLElement | undefined {
  const specs = FORMAT_OPTIONS[format];
  if (!specs?.length) return undefined;
  const options = ((draft.options ??= {})[format] ??= {});
  const set = (key: string, value: unknown, structural = false) => {
    if (value === undefined || value === '') delete options[key];
    else options[key] = value;
    actions.changed(structural);
  };
  const fields = specs.map((spec) => {
    const path = `${format}.${spec.key}`;
    const current = options[spec.key];
    switch (spec.type) {
      case 'choice':
        return field(spec.label, select(typeof current === 'string' ? current : '', spec.choices, (v) => set(spec.key, v || undefined), spec.label), path);
      case 'bool':
        return h('div', { className: 'form-field', attrs: { 'data-field': path } }, checkbox(spec.label, current === true || (current === undefined && spec.hint === 'on by default'), (on) => set(spec.key, on)), errorSlot(path));
      case 'int':
        return field(spec.label, textfield(current === undefined ? '' : String(current), (v) => set(spec.key, v.trim() === '' ? undefined : /^\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim()), { placeholder: spec.placeholder ?? '', label: spec.label, type: 'number' }), path);
      case 'list':
        return field(spec.label, textfield(Array.isArray(current) ? current.join(', ') : '', (v) => set(spec.key, listOf(v)), { placeholder: spec.placeholder ?? '', label: spec.label }), path, spec.hint);
      case 'text':
        return field(spec.label, textfield(typeof current === 'string' ? current : '', (v) => set(spec.key, v), { placeholder: spec.placeholder ?? '', label: spec.label }), path, spec.hint);
      case 'jinja':
        return jinjaField(spec, options, set, actions, format);
    }
  });
  return h('div', { className: 'format-options' }, ...fields);
}

/** A template: written inline, or a file of the project (the picker fills `<key>File`; inline text then goes). */
function jinjaField(spec: Extract<Spec, { type: 'jinja' }>, options: Record<string, unknown>, set: (key: string, value: unknown, structural?: boolean) => void, actions: OptionActions, format: string): HTMLElement {
  const file = options[spec.file];
  if (typeof file === 'string' && file) {
    return field(spec.label, h('div', { className: 'row' }, h('code', { text: file }), button('Change…', () => actions.pickTemplate(spec.file, (p) => p && set(spec.file, p, true)), { secondary: true, small: true }), button('Write Inline', () => set(spec.file, undefined, true), { secondary: true, small: true })), `${format}.${spec.key}`);
  }
  const text = textarea(typeof options[spec.key] === 'string' ? (options[spec.key] as string) : '', (v) => set(spec.key, v), { rows: spec.key === 'record' ? 4 : 2, label: spec.label, placeholder: spec.placeholder ?? '' });
  const pick = button('Choose File…', () => actions.pickTemplate(spec.file, (p) => {
    if (!p) return;
    delete options[spec.key];
    set(spec.file, p, true);
  }), { secondary: true, small: true, title: 'Use a .jinja file of the project instead' });
  return field(spec.label, h('div', { className: 'stack' }, text, pick), `${format}.${spec.key}`, spec.key === 'record' ? 'Variables: record (id, text / instruction, input, output / messages), lineage, kind, split, index.' : 'Variables: split, count, kind.');
}

/** "en, de" → ["en", "de"]; nothing → undefined (the option goes). */
function listOf(text: string): string[] | undefined {
  const items = text.split(',').map((x) => x.trim()).filter(Boolean);
  return items.length ? items : undefined;
}
