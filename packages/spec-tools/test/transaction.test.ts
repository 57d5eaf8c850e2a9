import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTransaction } from '../src/transaction.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'upstat-transaction-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('FileTransaction', () => {
  it('restores changed files and removes created ones on rollback', async () => {
    const existing = join(work, 'spec.yaml');
    await writeFile(existing, 'original');
    const transaction = new FileTransaction();
    await transaction.write(existing, 'first change');
    await transaction.write(existing, 'second change');
    await transaction.write(join(work, 'new/dir/changeset.md'), 'created');
    expect(transaction.paths).toEqual([existing, join(work, 'new/dir/changeset.md')]);
    expect(await readFile(existing, 'utf8')).toBe('second change');

    await transaction.rollback();
    expect(await readFile(existing, 'utf8')).toBe('original');
    expect(existsSync(join(work, 'new/dir/changeset.md'))).toBe(false);
  });
});
