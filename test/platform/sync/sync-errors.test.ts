import { describe, expect, it } from 'vitest';
import {
  classifySyncError,
  databaseUrlProblem,
  isNetworkFailure,
  probeHost,
} from '../../../src/platform/sync/sync-errors';

/** A PouchDB HTTP error as pouchdb's fetchJSON builds it from a CouchDB answer. */
const couch = (status: number, error: string, reason: string) => ({
  status,
  name: error,
  error,
  reason,
  message: reason,
});

describe('sync error classification', () => {
  it('names the server refusals', () => {
    expect(classifySyncError(couch(401, 'unauthorized', 'Name or password is incorrect.'))).toEqual({
      reason: 'unauthorized',
      detail: 'Name or password is incorrect.',
    });
    expect(classifySyncError(couch(403, 'forbidden', 'You are not allowed to access this db.')).reason).toBe(
      'forbidden',
    );
    expect(classifySyncError(couch(404, 'not_found', 'Database does not exist.')).reason).toBe('no-database');
    expect(classifySyncError(couch(500, 'unknown', 'boom'))).toEqual({ reason: 'server', detail: '500: boom' });
  });

  it('tells a CORS refusal from an unreachable host by the no-cors probe', () => {
    const failure = new TypeError('Failed to fetch');
    expect(isNetworkFailure(failure)).toBe(true);
    expect(classifySyncError(failure, 'answers')).toEqual({ reason: 'cors', detail: 'Failed to fetch' });
    expect(classifySyncError(failure, 'silent').reason).toBe('unreachable');
    expect(classifySyncError({ name: 'TypeError', message: 'NetworkError' }).reason).toBe('unreachable');
    // What the replication passes on: the TypeError's message copied into an error with no name or status.
    expect(classifySyncError({ message: 'Failed to fetch', result: { ok: false } }, 'silent').reason).toBe(
      'unreachable',
    );
    expect(isNetworkFailure(couch(401, 'unauthorized', 'x'))).toBe(false);
  });

  it('explains bad database URLs and accepts good ones', () => {
    expect(databaseUrlProblem('https://couch.example.org/team')).toBe('');
    expect(databaseUrlProblem('http://127.0.0.1:5984/crackcam/')).toBe('');
    expect(databaseUrlProblem('couch.example.org/team')).toMatch(/is not a URL; give the database URL/);
    expect(databaseUrlProblem('ftp://couch.example.org/team')).toMatch(/must start with https:\/\/ or http:\/\//);
    expect(databaseUrlProblem('https://couch.example.org/')).toMatch(/names no database/);
    expect(databaseUrlProblem('https://ann:pw@couch.example.org/team')).toMatch(/not in the URL/);
  });

  it('probes a host: answers when fetch resolves, silent when it rejects or hangs', async () => {
    const answers = (() => Promise.resolve(new Response(null))) as typeof fetch;
    const fails = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    const hangs = ((_u: string, init?: RequestInit) =>
      new Promise((_r, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      )) as typeof fetch;
    expect(await probeHost('http://h/db', answers)).toBe('answers');
    expect(await probeHost('http://h/db', fails)).toBe('silent');
    expect(await probeHost('http://h/db', hangs, 20)).toBe('silent');
  });
});
