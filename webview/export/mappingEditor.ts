import type { ExportDraft } from '../../src/shared/protocol/exportPanel';
import { button, h } from '../shared/vscodeApi';
import { checkbox, errorSlot, textfield } from './controls';

/**
 * The JSON writer's field mapping (core formats/fieldMapping.ts), edited as brightrun.json holds it under
 * `json.mapping`: drop (a checkbox per column), rename (a new name per column), nest (objects and the fields
 * moved into them, names after rename) and constants (a name and a value: JSON when it parses, else text). The
 * host checks it with the writer's own function; problems land beside the part they are about.
 */
interface Mapping {
  drop?: string[];
  rename?: Record<string, string>;
  nest?: Record<string, string[]>;
  constants?: Record<string, unknown>;
}

export function mappingEditor(draft: ExportDraft, columns: readonly string[], changed: (structural?: boolean) => void): HTMLElement {
  const json = ((draft.options ??= {}).json ??= {});
  const mapping = ((json.mapping as Mapping | undefined) ?? {}) as Mapping;
  const commit = (structural = false) => {
    for (const key of ['drop', 'rename', 'nest', 'constants'] as const) {
      const v = mapping[key];
      if (v === undefined || (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0)) delete mapping[key];
    }
    if (Object.keys(mapping).length) json.mapping = mapping;
    else delete json.mapping;
    changed(structural);
  };

  const drop = new Set(mapping.drop ?? []);
  const dropRow = h('div', { className: 'row wrap' }, ...columns.map((c) => checkbox(c, drop.has(c), (on) => {
    if (on) drop.add(c);
    else drop.delete(c);
    mapping.drop = columns.filter((x) => drop.has(x));
    commit();
  })));

  const rename = h('div', { className: 'grid2' }, ...columns.flatMap((c) => [
    h('code', { text: c }),
    textfield(mapping.rename?.[c] ?? '', (v) => {
      mapping.rename = { ...mapping.rename };
      if (v.trim()) mapping.rename[c] = v.trim();
      else delete mapping.rename[c];
      commit();
    }, { placeholder: 'keep the name', label: `New name of ${c}` }),
  ]));

  const nestEntries = Object.entries(mapping.nest ?? {});
  const nest = h('div', { className: 'grid3' }, ...nestEntries.flatMap(([object, fields], i) => [
    textfield(object, (v) => {
      const entries = Object.entries(mapping.nest ?? {});
      entries[i] = [v.trim(), entries[i]![1]];
      mapping.nest = Object.fromEntries(entries);
      commit();
    }, { placeholder: 'object name', label: 'Nested object name' }),
    textfield(fields.join(', '), (v) => {
      const entries = Object.entries(mapping.nest ?? {});
      entries[i] = [entries[i]![0], v.split(',').map((x) => x.trim()).filter(Boolean)];
      mapping.nest = Object.fromEntries(entries);
      commit();
    }, { placeholder: 'fields, comma-separated (names after rename)', label: `Fields nested in ${object}` }),
    button('Remove', () => {
      mapping.nest = Object.fromEntries(Object.entries(mapping.nest ?? {}).filter((_, k) => k !== i));
      commit(true);
    }, { secondary: true, small: true }),
  ]));
  const addNest = button('Add Nested Object', () => {
    const taken = new Set(Object.keys(mapping.nest ?? {}));
    let name = 'meta';
    for (let n = 2; taken.has(name); n++) name = `meta${n}`;
    mapping.nest = { ...mapping.nest, [name]: [] };
    commit(true);
  }, { secondary: true, small: true });

  const constantEntries = Object.entries(mapping.constants ?? {});
  const constants = h('div', { className: 'grid3' }, ...constantEntries.flatMap(([name, value], i) => [
    textfield(name, (v) => {
      const entries = Object.entries(mapping.constants ?? {});
      entries[i] = [v.trim(), entries[i]![1]];
      mapping.constants = Object.fromEntries(entries);
      commit();
    }, { placeholder: 'field name', label: 'Constant field name' }),
    textfield(typeof value === 'string' ? value : JSON.stringify(value), (v) => {
      const entries = Object.entries(mapping.constants ?? {});
      entries[i] = [entries[i]![0], parseValue(v)];
      mapping.constants = Object.fromEntries(entries);
      commit();
    }, { placeholder: 'value (text, or JSON: 1, true, ["a"])', label: `Value of ${name}` }),
    button('Remove', () => {
      mapping.constants = Object.fromEntries(Object.entries(mapping.constants ?? {}).filter((_, k) => k !== i));
      commit(true);
    }, { secondary: true, small: true }),
  ]));
  const addConstant = button('Add Constant', () => {
    const taken = new Set(Object.keys(mapping.constants ?? {}));
    let name = 'source';
    for (let n = 2; taken.has(name); n++) name = `source${n}`;
    mapping.constants = { ...mapping.constants, [name]: '' };
    commit(true);
  }, { secondary: true, small: true });

  return h(
    'fieldset',
    { className: 'mapping', attrs: { 'data-field': 'json.mapping' } },
    h('legend', { text: 'JSON field mapping (applied in this order)' }),
    h('h4', { text: '1. Drop' }), dropRow, errorSlot('json.mapping.drop'),
    h('h4', { text: '2. Rename' }), rename, errorSlot('json.mapping.rename'),
    h('h4', { text: '3. Nest' }), nest, addNest, errorSlot('json.mapping.nest'),
    h('h4', { text: '4. Constants' }), constants, addConstant, errorSlot('json.mapping.constants'),
    errorSlot('json.mapping'),
  );
}

function parseValue(text: string): unknown {
  const t = text.trim();
  if (/^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
