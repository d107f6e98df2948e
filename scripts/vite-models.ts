import { cpSync, createReadStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/** URL path under which the app finds the base network (same origin, so the service worker can cache it). */
export const BASE_URL_PATH = 'models/base';

/** The base model folder: $CRACKCAM_BASE (folder or its model.json), else ../shared next to the project. */
export function baseModelDir(root: string): string {
  const fromEnv = process.env.CRACKCAM_BASE;
  const p = fromEnv ?? path.resolve(root, '../shared/models/squeezenet1_1-imagenet');
  return p.endsWith('.json') ? path.dirname(path.resolve(p)) : path.resolve(p);
}

/**
 * Serves the base network from its configurable location at /models/base/ in dev and copies it into
 * dist/models/base/ at build time. The weights are never committed; they come from ../shared or
 * $CRACKCAM_BASE.
 */
export function crackcamBaseModel(root: string): Plugin {
  const dir = baseModelDir(root);
  let outDir = path.resolve(root, 'dist');
  const check = () => {
    if (!existsSync(path.join(dir, 'model.json'))) {
      throw new Error(`base model not found at ${dir}/model.json; set CRACKCAM_BASE to the SqueezeNet base folder`);
    }
  };
  return {
    name: 'crackcam-base-model',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      check();
      server.middlewares.use(`/${BASE_URL_PATH}/`, (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\/+/, '');
        const file = path.join(dir, name);
        if (!name || name.includes('..') || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        createReadStream(file).pipe(res);
      });
    },
    writeBundle() {
      check();
      cpSync(dir, path.join(outDir, BASE_URL_PATH), { recursive: true });
      // seen.json (which photos trained a model, for `npm run eval`) is a development record: the app
      // never reads it, so it is neither shipped nor precached. Runs before the PWA plugin's closeBundle.
      const models = path.join(outDir, 'models');
      for (const name of existsSync(models) ? readdirSync(models) : [])
        rmSync(path.join(models, name, 'seen.json'), { force: true });
    },
  };
}
