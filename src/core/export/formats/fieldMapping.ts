import { BrightRunError } from '../../errors';

/**
 * A field mapping applied to each natural row (JSON writer), in this order: `drop` removes fields, `rename`
 * renames them (`{"text": "content"}`), `nest` moves fields into an object (`{"meta": ["source_path", "page"]}`,
 * names after renaming), `constants` adds fixed fields (`{"lang": "en"}`). Key order of the output is
 * deterministic: the row's remaining fields in their order, then nested objects, then constants.
 */
export interface FieldMapping {
  rename?: Readonly<Record<string, string>>;
  drop?: readonly string[];
  nest?: Readonly<Record<string, readonly string[]>>;
  constants?: Readonly<Record<string, unknown>>;
}

type Row = Record<string, unknown>;

/** Where the JSON writer's mapping comes from, for its errors: the export profile's setting in brightrun.json. */
export const JSON_MAPPING_SETTING = 'brightrun.json exports[].json.mapping';

/**
 * Checks a mapping against the row's columns and returns the function that applies it. Throws CONFIG_INVALID
 * naming the setting when a mapping refers to a column the rows do not have or makes two fields collide.
 * `otherColumns`: in a build of several record kinds (each kind exported on its own, one mapping for all), the
 * columns of the other kinds: a name this kind lacks but another kind has (`rename: {"output": "answer"}` for
 * the completion records of a completion + instruction build) is skipped for this kind, not an error; a name no
 * kind has still is.
 */
export function compileFieldMapping(mapping: FieldMapping | undefined, columns: readonly string[], setting = 'export.json.mapping', otherColumns: readonly string[] = []): (row: Row) => Row {
  if (!mapping || (!mapping.rename && !mapping.drop && !mapping.nest && !mapping.constants)) return (row) => row;
  const known = new Set(columns);
  // Names another kind's rows have, before and after renaming (nest names fields after rename).
  const elsewhere = new Set([...otherColumns, ...otherColumns.map((c) => mapping.rename?.[c] ?? c)].filter((c) => !known.has(c)));
  const all = [...columns, ...[...new Set(otherColumns)].filter((c) => !known.has(c))];
  const fail = (what: string, remedy: string) => new BrightRunError({ code: 'CONFIG_INVALID', ...(setting.startsWith('brightrun.json') ? { file: 'brightrun.json' } : {}), message: `${setting}: ${what}.`, remedy });
  for (const name of mapping.drop ?? []) if (!known.has(name) && !elsewhere.has(name)) throw fail(`drop names "${name}", which the rows do not have`, `Use one of: ${all.join(', ')}.`);
  const drop = new Set(mapping.drop ?? []);
  const renamed: string[] = [];
  for (const name of columns) {
    if (drop.has(name)) continue;
    renamed.push(mapping.rename?.[name] ?? name);
  }
  for (const from of Object.keys(mapping.rename ?? {})) if ((!known.has(from) && !elsewhere.has(from)) || drop.has(from)) throw fail(`rename names "${from}", which the rows do not have (or drop removes)`, `Rename one of: ${all.filter((c) => !drop.has(c)).join(', ')}.`);
  if (new Set(renamed).size !== renamed.length) throw fail('rename gives two fields the same name', 'Choose distinct new names.');
  const top = new Set(renamed);
  const nested = new Set<string>();
  for (const [object, fields] of Object.entries(mapping.nest ?? {})) {
    for (const f of fields) {
      if ((!top.has(f) && !elsewhere.has(f)) || nested.has(f)) throw fail(`nest.${object} names "${f}", which is not a field here (or is nested twice)`, `Nest fields among: ${[...new Set([...renamed, ...otherColumns.filter((c) => !drop.has(c)).map((c) => mapping.rename?.[c] ?? c)])].join(', ')} (names after rename).`);
      nested.add(f);
    }
  }
  const outNames = [...renamed.filter((n) => !nested.has(n)), ...Object.keys(mapping.nest ?? {}), ...Object.keys(mapping.constants ?? {})];
  if (new Set(outNames).size !== outNames.length) throw fail('a nested object or constant has the name of another field', 'Give nested objects and constants names no field has.');
  const rename = mapping.rename ?? {};
  const nest = Object.entries(mapping.nest ?? {});
  const constants = Object.entries(mapping.constants ?? {});
  return (row) => {
    const flat: Row = {};
    for (const [k, v] of Object.entries(row)) if (!drop.has(k)) flat[rename[k] ?? k] = v;
    const out: Row = {};
    for (const [k, v] of Object.entries(flat)) if (!nested.has(k)) out[k] = v;
    for (const [object, fields] of nest) {
      const o: Row = {};
      for (const f of fields) if (f in flat) o[f] = flat[f];
      out[object] = o;
    }
    for (const [k, v] of constants) out[k] = v;
    return out;
  };
}
