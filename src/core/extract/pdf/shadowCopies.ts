/**
 * Text drawn twice: shadows, halos, embossing and "fake bold" draw the same string again a fraction of a point
 * away (map labels, titles over pictures), so a text layer read glyph by glyph holds each such string twice and
 * a line comes out as `SAINT-SAUVEURSAINT-SAUVEUR`. Viewers show one string; so does the text.
 */
import type { PositionedText } from './layout';

/**
 * How far (in units of the font size, along either axis) a repeat may be from the first drawing and still be its
 * copy. Shadows and offset bold are 0.02–0.15 em away; a word repeated on the next line is ≥ 1 em below, a real
 * repeat on the same line ("no no", cells holding the same value) ≥ its own width plus a space to the side.
 */
export const SHADOW_OFFSET = 0.25;
/**
 * Earlier runs of the same text a run is compared with (the latest ones): a page drawing one value thousands of
 * times (a grid of "0", hostile or not) stays linear. A copy drawn more than this many same-text runs after its
 * original (a whole shadow layer first, a long table of one value after) is not found.
 */
const MAX_COMPARED = 32;

/**
 * The runs without the copies of an earlier run: the same text, in a font of the same size (±10 %), starting within
 * SHADOW_OFFSET of the font size in any direction. The first drawing is kept where it stands in content order; a
 * dropped copy's line break (`eol`) moves to the run kept before it. One map lookup per run (no per-glyph work),
 * at most MAX_COMPARED comparisons; the array is returned as it came when nothing is dropped.
 */
export function dropShadowCopies(runs: PositionedText[]): PositionedText[] {
  if (runs.length < 2) return runs;
  const seen = new Map<string, PositionedText | PositionedText[]>();
  let out: PositionedText[] | undefined;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    if (!run.str) {
      out?.push(run);
      continue;
    }
    const earlier = seen.get(run.str);
    if (earlier !== undefined && (Array.isArray(earlier) ? earlier.some((e) => isCopy(e, run)) : isCopy(earlier, run))) {
      out ??= runs.slice(0, i);
      const last = out[out.length - 1];
      if (run.eol && last && !last.eol) out[out.length - 1] = { ...last, eol: true };
      continue;
    }
    if (earlier === undefined) seen.set(run.str, run);
    else if (Array.isArray(earlier)) {
      if (earlier.length === MAX_COMPARED) earlier.shift();
      earlier.push(run);
    }
    else seen.set(run.str, [earlier, run]);
    out?.push(run);
  }
  return out ?? runs;
}

function isCopy(first: PositionedText, run: PositionedText): boolean {
  const size = Math.max(first.size, run.size);
  if (!(size > 0) || Math.abs(first.size - run.size) > 0.1 * size) return false;
  const reach = SHADOW_OFFSET * size;
  return Math.abs(run.x - first.x) <= reach && Math.abs(run.y - first.y) <= reach;
}
