/**
 * The try-it sync server (scripts/sync-server.ts) in this process: CouchDB's 401 bodies for missing and
 * wrong credentials, Basic auth and the `POST /_session` cookie, CORS for the allowed origin only, data
 * kept in its folder across a restart, and clear errors for bad flags.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, syncServerOptions, type SyncServer } from '../../../scripts/sync-server';

const ORIGIN = 'http://127.0.0.1:9911';
const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

let dir: string;
let server: SyncServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-sync-server-'));
  server = await startSyncServer({
    port: 0,
    dir,
    user: { name: 'ann', password: 'pw' },
    origins: [ORIGIN],
    databases: ['team'],
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sync server', () => {
  it('answers 401 with CouchDB error bodies without or with wrong credentials, and no login dialog', async () => {
    const none = await fetch(`${server.url}team`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBeNull();
    expect(await none.json()).toEqual({ error: 'unauthorized', reason: 'Authentication required.' });
    const wrong = await fetch(`${server.url}team`, { headers: { Authorization: basic('ann', 'nope') } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'unauthorized', reason: 'Name or password is incorrect.' });
  });

  it('serves the database with Basic auth and with the cookie of POST /_session', async () => {
    const put = await fetch(`${server.url}team/finding:a`, {
      method: 'PUT',
      headers: { Authorization: basic('ann', 'pw'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ note: 'x' }),
    });
    expect(put.status).toBe(201);
    const login = await fetch(`${server.url}_session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'ann', password: 'pw' }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^AuthSession=.+/);
    const got = await fetch(`${server.url}team/finding:a`, { headers: { Cookie: cookie } });
    expect(((await got.json()) as { note: string }).note).toBe('x');
    const badLogin = await fetch(`${server.url}_session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=ann&password=wrong',
    });
    expect(badLogin.status).toBe(401);
  });

  it('allows the app origin with credentials and gives other origins no CORS headers', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}team`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the data in its folder across a restart', async () => {
    await server.close();
    server = await startSyncServer({ port: 0, dir, user: { name: 'ann', password: 'pw' }, origins: [ORIGIN] });
    const got = await fetch(`${server.url}team/finding:a`, { headers: { Authorization: basic('ann', 'pw') } });
    expect(got.status).toBe(200);
  });
});

describe('sync server flags', () => {
  it('reads the flags and names bad ones with the valid values', () => {
    const o = syncServerOptions(['--port', '0', '--dir', '/tmp/x', '--origin', 'http://a:1,http://b:2/']);
    expect(o).toMatchObject({ port: 0, dir: '/tmp/x', origins: ['http://a:1', 'http://b:2'], databases: ['crackcam'] });
    expect(() => syncServerOptions(['--port', '70000'])).toThrow(
      /--port must be an integer from 0 to 65535, got '70000'/,
    );
    expect(() => syncServerOptions(['--user', 'ann'])).toThrow(/--user and --password go together/);
    expect(() => syncServerOptions(['--origin', 'ftp://x'])).toThrow(/--origin must be like http:\/\/host:port/);
  });
});
