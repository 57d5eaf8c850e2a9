/**
 * Why this file exists: the runtime packages promise to run in browsers, which only a browser can show. The packed
 * tarballs (packed once per suite, tests/packaging/src/global-setup.ts) are installed in a consumer, bundled with
 * esbuild and loaded in Debian's Chromium against the PandaDoc Prism mock, once per suite.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, expect, inject, it } from 'vitest';
import { createConsumer, type Consumer } from '../src/consumer.js';
import { EXPECTED_STATUS, PANDADOC_REF, startPandaDocMock } from '../src/mock.js';

/** Debian's Chromium: playwright-core never downloads a browser, and tests never reach the internet. */
const CHROMIUM = '/usr/bin/chromium';
const MISSING = `${CHROMIUM} not found: install Debian's chromium (.ci/run does)`;
const hasChromium = existsSync(CHROMIUM);
// Outside CI a missing browser only skips this check (with a notice); in CI it must fail, never pass silently.
const skip = !hasChromium && process.env.CI === undefined;
if (skip) console.warn(`browser.test.ts skipped: ${MISSING}`);

// The page reads the mock's URL and the ref from its query string and leaves the outcome on window.
const ENTRY = `import { createUpstat } from 'upstat';
import { pandadoc } from '@upstat/pandadoc';

const params = new URLSearchParams(location.search);
createUpstat({ providers: [pandadoc({ apiKey: 'browser-key', baseUrl: params.get('mock') })] })
  .status(params.get('ref'))
  .then(
    (status) => { window.__result = { state: status.state, rawState: status.raw.state }; },
    (error) => { window.__result = { error: String(error && error.stack || error) }; },
  );
`;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function serve(files: Record<string, { type: string; body: string }>): Promise<string> {
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

it.skipIf(skip)('bundles the upstat tarball for the browser and fetches a status from Prism in Chromium', async () => {
  if (!hasChromium) throw new Error(MISSING);

  // The facade as users install it: from the tarballs, in a project outside the workspace.
  const consumer: Consumer = await createConsumer({ label: 'browser', tarballs: inject('tarballs'), manifest: { type: 'module' }, files: { 'entry.js': ENTRY } });
  cleanups.push(consumer.remove);

  // platform browser, nothing external: a Node built-in anywhere in upstat, core or the provider fails the build.
  const bundle = await build({
    absWorkingDir: consumer.dir,
    entryPoints: [join(consumer.dir, 'entry.js')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  expect(bundle.errors).toEqual([]);
  const [output] = bundle.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output');
  // The browser got the ESM builds (the `import` condition), not the CommonJS ones.
  const inputs = Object.keys(bundle.metafile.inputs);
  expect(inputs.some((input) => input.includes('node_modules/upstat/dist/'))).toBe(true);
  expect(inputs.filter((input) => input.endsWith('.cjs'))).toEqual([]);

  const mock = await startPandaDocMock();
  cleanups.push(mock.stop);
  const site = await serve({
    '/': { type: 'text/html; charset=utf-8', body: '<!doctype html><title>upstat</title><script type="module" src="/bundle.js"></script>\n' },
    '/bundle.js': { type: 'text/javascript; charset=utf-8', body: output.text },
  });

  // The flags keep Chromium off the network (no updates, sync, QUIC probes) and working as root in containers.
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  cleanups.push(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  // A different origin than the mock: the request is cross-origin, as from a real web app (Prism answers CORS).
  const query = new URLSearchParams({ mock: mock.server.url, ref: PANDADOC_REF });
  await page.goto(`${site}/?${query.toString()}`);
  await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => (window as { __result?: unknown }).__result);

  expect(pageErrors).toEqual([]);
  expect(result).toEqual(EXPECTED_STATUS);
  expect(mock.server.violations()).toEqual([]);
});
