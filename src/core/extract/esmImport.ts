/**
 * `import()` of a module loaded at run time (pdf.js, tesseract.js, the native canvas). In a thread started by
 * workerBoot.ts the bundle runs as a vm.Script, where Node 20 refuses `import()`; the loader then provides its
 * own, which resolves from the same directory.
 */
export function importModule<T>(specifier: string): Promise<T> {
  const hook = (globalThis as { brightrunImport?: (specifier: string) => Promise<unknown> }).brightrunImport;
  return (hook ? hook(specifier) : import(specifier)) as Promise<T>;
}
