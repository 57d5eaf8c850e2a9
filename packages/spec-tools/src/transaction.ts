import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes files so that they can all be taken back: the first write to a path remembers what was there
 * (or that nothing was), and `rollback` restores exactly that. Used so that a failed `spec update` leaves
 * nothing half-written.
 */
export class FileTransaction {
  private readonly originals = new Map<string, string | undefined>();

  async write(path: string, content: string): Promise<void> {
    if (!this.originals.has(path)) {
      let original: string | undefined;
      try {
        original = await readFile(path, 'utf8');
      } catch {
        original = undefined;
      }
      this.originals.set(path, original);
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }

  /** Paths written, in the order they were first written. */
  get paths(): string[] {
    return [...this.originals.keys()];
  }

  async rollback(): Promise<void> {
    for (const [path, original] of [...this.originals].reverse()) {
      if (original === undefined) await rm(path, { force: true });
      else await writeFile(path, original);
    }
    this.originals.clear();
  }
}
