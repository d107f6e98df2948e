/**
 * src/core is DOM-free. tsconfig.core.json (lib ES2022, no DOM) rejects most browser names; this
 * covers what the compiler cannot: the DOM stubs that @webgpu/types declares (tfjs-core's typings
 * load it) and tf.browser, which is typed in tfjs itself (see types/core-runtime.d.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const CORE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/core');
const FORBIDDEN = /\btf\.browser\b|\bHTMLCanvasElement\b|\bHTMLVideoElement\b|\bOffscreenCanvas\b/;

it('no src/core file names tf.browser or the DOM types the core type check lets through', () => {
  const files = readdirSync(CORE).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(10);
  const offending = files.flatMap((f) =>
    readFileSync(path.join(CORE, f), 'utf8')
      .split('\n')
      .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
      .filter(({ line }) => !/^\s*(\*|\/\/|\/\*)/.test(line) && FORBIDDEN.test(line))
      .map(({ where, line }) => `${where}: ${line.trim()}`),
  );
  expect(offending).toEqual([]);
});
