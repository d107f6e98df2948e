import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../../src/cli/node-io';
import { loadRehearsalPack } from '../../src/platform/rehearsal-pack';

const DEFAULT_MODEL = path.join(PROJECT_ROOT, 'public/models/crackcam-default');

/** fetch over the project's public/ folder at http://app/ (404 for a missing file), with `override` answers first. */
function fakeFetch(override: Record<string, () => Response> = {}) {
  return vi.fn(async (input: string | URL | Request) => {
    const url = new URL(String(input));
    if (override[url.pathname]) return override[url.pathname]();
    try {
      return new Response(await readFile(path.join(PROJECT_ROOT, 'public', decodeURIComponent(url.pathname))));
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('loadRehearsalPack (app)', () => {
  it("loads the default model's pack from its folder or its model.json URL: crops as JPEG Blobs, surfaces in order", async () => {
    vi.stubGlobal('fetch', fakeFetch());
    const pack = await loadRehearsalPack('http://app/models/crackcam-default/model.json');
    expect(pack).not.toBeNull();
    const index = JSON.parse(await readFile(path.join(DEFAULT_MODEL, 'rehearsal/index.json'), 'utf8')) as {
      items: { file: string; use: string }[];
    };
    expect(pack!.items).toHaveLength(index.items.length);
    expect(pack!.surfaces).toEqual(['concrete', 'asphalt', 'walls']);
    const first = pack!.items[0];
    expect(first.id).toBe(`rehearsal/${index.items[0].file}`);
    expect(first.use).toBe(index.items[0].use);
    const bytes = new Uint8Array(await first.crop.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]); // JPEG
    expect((await loadRehearsalPack('http://app/models/crackcam-default'))!.items).toHaveLength(index.items.length);
  });

  it('null for a model without a pack', async () => {
    vi.stubGlobal('fetch', fakeFetch());
    expect(await loadRehearsalPack('http://app/models/elsewhere/model.json')).toBeNull();
  });

  it('a corrupt index or a missing photo is an error that names the file and the problem', async () => {
    const index = '/models/crackcam-default/rehearsal/index.json';
    vi.stubGlobal('fetch', fakeFetch({ [index]: () => new Response('{"version": 1, "items": [') }));
    await expect(loadRehearsalPack('http://app/models/crackcam-default/')).rejects.toThrow(
      /rehearsal pack: http:\/\/app\/models\/crackcam-default\/rehearsal\/index.json is not valid JSON/,
    );
    vi.stubGlobal(
      'fetch',
      fakeFetch({ [index]: () => Response.json({ version: 1, size: 227, items: [], sources: [] }) }),
    );
    await expect(loadRehearsalPack('http://app/models/crackcam-default/')).rejects.toThrow(
      /items must be a non-empty array/,
    );
    const photo = '/models/crackcam-default/rehearsal/concrete-crack-0001.jpg';
    vi.stubGlobal('fetch', fakeFetch({ [photo]: () => new Response('', { status: 404 }) }));
    await expect(loadRehearsalPack('http://app/models/crackcam-default/')).rejects.toThrow(
      /HTTP 404 for .*concrete-crack-0001\.jpg, listed in .*index\.json/,
    );
  });
});
