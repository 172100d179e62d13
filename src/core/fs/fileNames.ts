import * as path from 'node:path';
import { BrightRunError, type ErrorInfo } from '../errors';

/**
 * File names that are not valid UTF-8. Linux allows any bytes but '/' and NUL in a name (a Latin-1 "café.pdf"
 * copied from an old disk is `caf\xE9.pdf`); Node decodes names as UTF-8, turning such bytes into U+FFFD, and
 * a path built from that string names no file. The project stores paths as JSON strings (UTF-8), so these
 * files cannot be recorded: each is refused by name, shown with its undecodable bytes escaped.
 * (macOS's file systems only hold valid names; on Windows a name with a lone UTF-16 surrogate comes out of
 * libuv as WTF-8, which this check refuses the same way.)
 */

/** True when the bytes are valid UTF-8 (what decoding and encoding again gives back unchanged). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
}

/** The name as text, each byte that is not part of a valid UTF-8 sequence written `\xHH`: `caf\xE9.pdf`. */
export function escapeFileName(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceLength(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    } else {
      out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8');
      i += n;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i` (1–4), or 0 when the byte there does not start one. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // not a UTF-16 surrogate
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The refusal of a file or folder met in a walk whose name is not valid UTF-8. */
export function invalidNameProblem(dir: string, name: Uint8Array, isFolder: boolean): ErrorInfo {
  const shown = path.join(dir, escapeFileName(name));
  return new BrightRunError({
    code: 'INVALID_FILE_NAME',
    file: shown,
    message: `${shown}: its name is not valid UTF-8, so Bright Run cannot record it${isFolder ? ' (nothing in this folder was taken)' : ''}.`,
    remedy: 'Rename it to a UTF-8 name (e.g. `convmv -f latin1 -t utf8 --notest <name>`), then add it again.',
  }).toJSON();
}

/**
 * A path given on the command line that does not exist and holds U+FFFD: almost surely a name whose bytes were
 * not UTF-8, which Node replaced while decoding the argument — so the file exists, under bytes no string names.
 */
export function undecodableArgument(abs: string): ErrorInfo | undefined {
  if (!abs.includes('\uFFFD')) return undefined;
  return new BrightRunError({
    code: 'INVALID_FILE_NAME',
    file: abs,
    message: `${abs}: the name as given is not valid UTF-8 (the undecodable bytes show as \uFFFD), so Bright Run cannot open or record it.`,
    remedy: 'Rename the file to a UTF-8 name (e.g. `convmv -f latin1 -t utf8 --notest <name>`), then try again.',
  }).toJSON();
}
