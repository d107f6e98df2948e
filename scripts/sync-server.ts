/**
 * `npm run sync-server -- [--port 5984] [--dir DIR] [--user NAME --password PW] [--origin ORIGIN] [--db NAME]`
 *
 * A CouchDB-protocol server for trying team sync: express-pouchdb over PouchDB (leveldb files in DIR,
 * default ~/.crackcam-sync) on 127.0.0.1. The app's origin (repeat --origin, or give a comma-separated list;
 * default the vite dev server's http://localhost:5173 and http://127.0.0.1:5173) may call it with
 * credentials (CORS); other origins get no CORS headers, so the browser refuses their requests. With
 * --user and --password every request needs that user: HTTP Basic auth, or the `AuthSession` cookie
 * that `POST /_session` (CouchDB's cookie session) sets. Wrong or missing credentials get a 401 with
 * CouchDB's JSON error body and no `WWW-Authenticate` header (so a browser shows no login dialog).
 * The databases named by --db (default `crackcam`) are created at start; a PUT creates others.
 * Prints one JSON line when listening: `{"listening":true,"url":…,"port":…,"dir":…,"auth":…}`, where
 * `auth` says whether requests need the user (true with --user and --password, false for an open server).
 *
 * Production teams use Apache CouchDB 3 instead (see docs/sync.md).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import expressPouchDB from 'express-pouchdb';
import PouchDB from 'pouchdb-node';

/** Options of {@link startSyncServer}. */
export interface SyncServerOptions {
  /** TCP port on 127.0.0.1 (0: any free port). Default 5984. */
  port?: number;
  /** Folder of the leveldb files (created if missing). */
  dir: string;
  /** The one user every request must authenticate as; without it the server is open. */
  user?: { name: string; password: string };
  /** Origins allowed to call with credentials (CORS). */
  origins?: readonly string[];
  /** Databases created at start. */
  databases?: readonly string[];
}

/** A running sync server. */
export interface SyncServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  dir: string;
  close(): Promise<void>;
}

/** The vite dev server's origins (`npm start`). */
export const DEFAULT_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

const CORS_HEADERS = 'accept, authorization, content-type, origin, referer, x-csrf-token';
const EXPOSED_HEADERS =
  'content-type, cache-control, accept-ranges, etag, server, x-couch-request-id, x-couch-update-newrev';
const SESSION_COOKIE = 'AuthSession';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** CORS for the allowed origins: answers preflights; returns true when the request was answered. */
function applyCors(req: http.IncomingMessage, res: http.ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && origins.includes(origin);
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    res.setHeader('Vary', 'Origin');
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  if (allowed) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? CORS_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(allowed ? 204 : 403).end();
  return true;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The name and password of an `Authorization: Basic` header, if any. */
function basicCredentials(req: http.IncomingMessage): { name: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function cookieValue(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** `{name, password}` of a `POST /_session` body (JSON or form-encoded). */
async function sessionCredentials(req: http.IncomingMessage): Promise<{ name?: string; password?: string }> {
  const body = await readBody(req);
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      return JSON.parse(body) as { name?: string; password?: string };
    } catch {
      return {};
    }
  }
  const form = new URLSearchParams(body);
  return { name: form.get('name') ?? undefined, password: form.get('password') ?? undefined };
}

/** The one user's credentials: Basic auth, or the cookie sessions that `POST /_session` hands out. */
class SingleUserAuth {
  private readonly sessions = new Set<string>();
  constructor(private readonly user: { name: string; password: string }) {}

  matches(c: { name?: string; password?: string } | undefined): boolean {
    return (
      c?.name !== undefined &&
      c.password !== undefined &&
      sameText(c.name, this.user.name) &&
      sameText(c.password, this.user.password)
    );
  }

  /** True when the request may go on; else it has been answered with a 401. */
  check(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const basic = basicCredentials(req);
    if (basic) {
      if (this.matches(basic)) return true;
      sendJson(res, 401, { error: 'unauthorized', reason: 'Name or password is incorrect.' });
      return false;
    }
    const session = cookieValue(req, SESSION_COOKIE);
    if (session !== undefined && this.sessions.has(session)) return true;
    sendJson(res, 401, { error: 'unauthorized', reason: 'Authentication required.' });
    return false;
  }

  /** `/_session`: POST logs in (sets the cookie), GET says who is logged in, DELETE logs out. */
  async handleSession(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method === 'POST') {
      if (!this.matches(await sessionCredentials(req))) {
        sendJson(res, 401, { error: 'unauthorized', reason: 'Name or password is incorrect.' });
        return;
      }
      const token = randomBytes(24).toString('base64url');
      this.sessions.add(token);
      const cookie = `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
      sendJson(res, 200, { ok: true, name: this.user.name, roles: [] }, { 'Set-Cookie': cookie });
    } else if (req.method === 'DELETE') {
      const token = cookieValue(req, SESSION_COOKIE);
      if (token !== undefined) this.sessions.delete(token);
      sendJson(res, 200, { ok: true }, { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` });
    } else if (this.check(req, res)) {
      sendJson(res, 200, { ok: true, userCtx: { name: this.user.name, roles: [] }, info: { authenticated: 'cookie' } });
    }
  }
}

function requestHandler(couch: Handler, options: SyncServerOptions): Handler {
  const origins = options.origins ?? DEFAULT_ORIGINS;
  const auth = options.user ? new SingleUserAuth(options.user) : undefined;
  return (req, res) => {
    if (applyCors(req, res, origins)) return;
    if (auth && (req.url ?? '').split('?')[0] === '/_session') {
      auth.handleSession(req, res).catch((e: Error) => sendJson(res, 500, { error: 'unknown', reason: e.message }));
      return;
    }
    if (auth && !auth.check(req, res)) return;
    couch(req, res);
  };
}

/** Starts the server; resolves once it listens. */
export async function startSyncServer(options: SyncServerOptions): Promise<SyncServer> {
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const DirPouch = PouchDB.defaults({ prefix: `${dir}/` });
  const couch = expressPouchDB(DirPouch, {
    mode: 'minimumForPouchDB',
    inMemoryConfig: true,
    logPath: path.join(dir, 'log.txt'),
  }) as unknown as Handler;
  for (const name of options.databases ?? []) await new DirPouch(name).info();
  const server = http.createServer(requestHandler(couch, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5984, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    dir,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

const USAGE =
  'usage: npm run sync-server -- [--port 5984] [--dir DIR] [--user NAME --password PW] [--origin ORIGIN]... [--db NAME]...';

/** The command line as {@link SyncServerOptions}; throws naming a bad flag and the valid values. */
export function syncServerOptions(argv: readonly string[]): SyncServerOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '5984' },
      dir: { type: 'string', default: path.join(os.homedir(), '.crackcam-sync') },
      user: { type: 'string' },
      password: { type: 'string' },
      origin: { type: 'string', multiple: true },
      db: { type: 'string', multiple: true },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer from 0 to 65535, got '${values.port}'`);
  if ((values.user === undefined) !== (values.password === undefined))
    throw new Error('--user and --password go together: give both, or neither for an open server');
  const origins = (values.origin ?? []).flatMap((o) => o.split(',')).map((o) => o.trim().replace(/\/$/, ''));
  for (const o of origins)
    if (!/^https?:\/\/[^/]+$/.test(o)) throw new Error(`--origin must be like http://host:port, got '${o}'`);
  return {
    port,
    dir: values.dir,
    user: values.user !== undefined ? { name: values.user, password: values.password ?? '' } : undefined,
    origins: origins.length > 0 ? origins : DEFAULT_ORIGINS,
    databases: values.db ?? ['crackcam'],
  };
}

async function main(): Promise<void> {
  let options: SyncServerOptions;
  try {
    options = syncServerOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const server = await startSyncServer(options);
  const { url, port, dir } = server;
  process.stdout.write(`${JSON.stringify({ listening: true, url, port, dir, auth: options.user !== undefined })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  });
}
