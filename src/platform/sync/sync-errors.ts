/**
 * Why a sync failed, from what PouchDB reports: an HTTP error of the CouchDB server (401 wrong name or
 * password, 403 no access, 404 no such database) or a request that never got an answer. A request
 * the browser refused because the server did not allow the app's origin (CORS) fails exactly like one
 * to a host that does not answer, so a network failure is told apart by a second look: a `no-cors`
 * request (see {@link probeHost}) that gets an opaque answer means the host is there and refused CORS.
 */

/**
 * - `unauthorized`: wrong user name or password (401);
 * - `forbidden`: the user may not read or write this database (403);
 * - `no-database`: the server has no database at that URL (404);
 * - `unreachable`: no answer from the host (wrong address, server down, no route);
 * - `cors`: the host answers but does not allow this app's origin (CORS);
 * - `bad-url`: the URL is not an http(s) database URL;
 * - `password-needed`: sync was on, but the password is not known on this load (enter it again);
 * - `server`: any other error of the server.
 */
export const SYNC_ERROR_REASONS = [
  'unauthorized',
  'forbidden',
  'no-database',
  'unreachable',
  'cors',
  'bad-url',
  'password-needed',
  'server',
] as const;
export type SyncErrorReason = (typeof SYNC_ERROR_REASONS)[number];

/** A classified failure: the reason and the server's or browser's own words. */
export interface SyncFailure {
  reason: SyncErrorReason;
  detail: string;
}

/** What a host did with a `no-cors` request: answered (any status), or not at all. */
export type HostProbe = 'answers' | 'silent';

interface ErrorFields {
  status?: unknown;
  name?: unknown;
  message?: unknown;
  reason?: unknown;
}

function fields(e: unknown): ErrorFields {
  return typeof e === 'object' && e !== null ? (e as ErrorFields) : { message: String(e) };
}

/** The error's own words: CouchDB's `reason`, else the message. */
export function errorDetail(e: unknown): string {
  const f = fields(e);
  const text = [f.reason, f.message].find((t) => typeof t === 'string' && t !== '');
  return typeof text === 'string' ? text : String(e);
}

/** The HTTP status an error carries, if the server answered (PouchDB sets `status`; 0 or none: no answer). */
export function httpStatus(e: unknown): number | undefined {
  const status = fields(e).status;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/**
 * True when the request got no HTTP answer: fetch's TypeError (network error, CORS refusal, bad address),
 * also as PouchDB's replication passes it on (copied into a PouchError without its name or a status).
 */
export function isNetworkFailure(e: unknown): boolean {
  return httpStatus(e) === undefined;
}

/** Classifies a failure; `probe` is what a `no-cors` request to the host saw (only read for network failures). */
export function classifySyncError(e: unknown, probe?: HostProbe): SyncFailure {
  const detail = errorDetail(e);
  if (isNetworkFailure(e)) return { reason: probe === 'answers' ? 'cors' : 'unreachable', detail };
  const status = httpStatus(e);
  if (status === 401) return { reason: 'unauthorized', detail };
  if (status === 403) return { reason: 'forbidden', detail };
  if (status === 404) return { reason: 'no-database', detail };
  return { reason: 'server', detail: status === undefined ? detail : `${status}: ${detail}` };
}

/** Problems of a database URL (empty when it is fine): http(s), a host, a database name in the path. */
export function databaseUrlProblem(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not a URL; give the database URL, like https://couch.example.org/team`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `'${url}' must start with https:// or http://`;
  if (parsed.username || parsed.password) return 'put the user name and password in their own fields, not in the URL';
  if (parsed.pathname.replace(/\/+$/, '') === '')
    return `'${url}' names no database: add it to the path, like ${parsed.origin}/team`;
  return '';
}

/**
 * Looks whether the host of `url` answers at all, with a `no-cors` request that CORS cannot refuse
 * (the answer is opaque: only that it came). Resolves `silent` after `timeoutMs` without one.
 */
export async function probeHost(url: string, fetcher: typeof fetch = fetch, timeoutMs = 5000): Promise<HostProbe> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await fetcher(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: abort.signal });
    return 'answers';
  } catch {
    return 'silent';
  } finally {
    clearTimeout(timer);
  }
}
