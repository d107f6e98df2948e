import { describe, expect, it } from 'vitest';
import { isModelFileUrl } from '../../sw/model-routes';

const u = (s: string) => new URL(s);

describe('isModelFileUrl', () => {
  it('accepts TensorFlow.js topology files and weight shards, also cross-origin and with a query', () => {
    for (const url of [
      'https://models.example.org/crack/model.json',
      'https://models.example.org/crack/brick-model.json?v=3',
      'https://models.example.org/crack/weights.bin',
      'https://models.example.org/crack/group1-shard1of1',
      'https://models.example.org/crack/group2-shard3of4.bin',
      'http://localhost:8080/models/base/GROUP1-SHARD1OF2',
    ]) {
      expect(isModelFileUrl(u(url)), url).toBe(true);
    }
  });

  it('rejects other files, non-http schemes and names that only contain the patterns', () => {
    for (const url of [
      'https://example.org/app/index.html',
      'https://example.org/api/data.json',
      'https://example.org/model.json/readme.txt',
      'https://example.org/assets/index-abc.js',
      'https://example.org/group1-shard1of1.txt',
      'https://example.org/x?file=model.json',
      'data:application/json,{}',
      'blob:https://example.org/0c6f-model.json',
    ]) {
      expect(isModelFileUrl(u(url)), url).toBe(false);
    }
  });
});
