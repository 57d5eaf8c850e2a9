/**
 * Why this file exists: every decision of a wait is one pure function in core (`stepWait`), and five drivers apply
 * it — `wait`, `watch`, `waitAll`, a `@upstat/queue` worker and `upstat wait`. This runs the same table of behaviours
 * (`src/behaviours.ts`) against each of them, over real HTTP to a scripted server on loopback, the queue's on a real
 * `redis-server` (started once for the file), the command as a child process: a driver that decided anything itself
 * would show here as a row that ends differently.
 */
import { hasRedis, REDIS_MISSING, skipRedis, startRedis, type RedisServer } from '@upstat/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEHAVIOURS, type Behaviour } from '../src/behaviours.js';
import { drivers } from '../src/drivers.js';
import { nullspaceServer, type ScriptedServer } from '../src/server.js';

if (skipRedis) console.warn(`conformance.test.ts: the queue's rows are skipped: ${REDIS_MISSING}`);

let redis: RedisServer | undefined;
let server: ScriptedServer;
/** Which behaviour each upload follows: uploads are named `<driver index>-<behaviour index>`. */
const byUpload = new Map<string, Behaviour>();

beforeAll(async () => {
  server = await nullspaceServer((upload, n) => {
    const behaviour = byUpload.get(upload);
    if (behaviour === undefined) return { http: 404 };
    return behaviour.answers[Math.min(n, behaviour.answers.length) - 1] ?? { http: 500 };
  });
  // In CI a missing redis-server fails the queue's rows (startRedis throws); elsewhere they are skipped.
  if (hasRedis || !skipRedis) redis = await startRedis();
});
afterAll(async () => {
  await server.close();
  await redis?.stop();
});

const all = drivers(() => {
  if (redis === undefined) throw new Error(REDIS_MISSING);
  return redis;
});

// Every row of every driver at once: each has its own upload (and the queue's its own prefix), and most of a row's
// time is spent waiting on timers, not on the two cores.
describe.concurrent('every driver', () => {
  all.forEach((driver, driverIndex) => {
    const skipped = driver.name.includes('queue') && skipRedis;
    (skipped ? describe.skip : describe)(driver.name, () => {
      BEHAVIOURS.forEach((behaviour, index) => {
        const why = driver.notApplicable?.(behaviour);
        if (why !== undefined) {
          it.skip(`${behaviour.name} (not applicable: ${why})`, () => undefined);
          return;
        }
        it(behaviour.name, async ({ expect }) => {
          const upload = `${driverIndex}-${index}`;
          byUpload.set(upload, behaviour);
          const observed = await driver.run(behaviour, { server, upload });
          const { expected } = behaviour;
          expect(observed.outcome, observed.message).toEqual('ok' in expected.outcome ? expected.outcome : { reason: undefined, ...expected.outcome });
          if (expected.lastState !== undefined) expect(observed.lastState).toBe(expected.lastState);
          expect(server.requests(upload)).toBe(expected.requests);
          if (observed.exit !== undefined) expect(observed.exit, observed.message).toBe(expected.exit);
        });
      });
    });
  });
});

describe('the table', () => {
  it('covers every way a wait ends, and each driver runs every row it can', () => {
    const endings = new Set(BEHAVIOURS.map(({ expected }) => ('ok' in expected.outcome ? 'ok' : `${expected.outcome.error}/${expected.outcome.reason ?? ''}`)));
    for (const ending of ['ok', 'upload_failed/', 'wait_timeout/deadline', 'wait_timeout/retry-after', 'wait_timeout/failures', 'not_found/', 'abort/']) {
      expect(endings).toContain(ending);
    }
    for (const driver of all) {
      const runs = BEHAVIOURS.filter((behaviour) => driver.notApplicable?.(behaviour) === undefined).length;
      expect(runs, driver.name).toBeGreaterThanOrEqual(BEHAVIOURS.length - 1);
    }
  });
});
