import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface TarEntry {
  /** Path inside the package, without npm's leading `package/`. */
  path: string;
  /** Unix permission bits. */
  mode: number;
  content: Buffer;
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number): number {
  const text = field(header, offset, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/**
 * The regular files of an npm tarball, read straight from the .tgz (a small ustar reader with the pax and GNU
 * long-name extensions), so the checks see exactly what a registry would serve, independent of any `tar` binary.
 */
export function readTarball(path: string): Map<string, TarEntry> {
  const data = gunzipSync(readFileSync(path));
  const entries = new Map<string, TarEntry>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // end of archive
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x') {
      // pax extended header: "<len> key=value\n" records; only `path` matters here.
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      longName = match?.[1];
      continue;
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    longName = undefined;
    if (type !== '0' && type !== '\0') continue; // directories, links: npm tarballs hold files only
    entries.set(name.replace(/^package\//, ''), { path: name.replace(/^package\//, ''), mode: octal(header, 100, 8), content: Buffer.from(body) });
  }
  return entries;
}
