import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where runtime assets live: beside the bundle in a packaged extension or CLI (dist/pdfjs, copied by
 * esbuild.mjs), or in node_modules when running from source (tests, development).
 */
export function pdfjsAssets(): { module: string; cmaps: string; standardFonts: string } {
  const bundled = path.join(__dirname, 'pdfjs');
  const root = existsSync(path.join(bundled, 'pdf.mjs')) ? bundled : path.dirname(require.resolve('pdfjs-dist/package.json'));
  const legacy = root === bundled ? root : path.join(root, 'legacy', 'build');
  return {
    module: path.join(legacy, 'pdf.mjs'),
    cmaps: path.join(root, 'cmaps') + path.sep,
    standardFonts: path.join(root, 'standard_fonts') + path.sep,
  };
}
