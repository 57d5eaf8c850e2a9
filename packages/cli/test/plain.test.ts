/**
 * Plain output (a pipe): each status once, the final one included, for every terminal state the mocks' scenarios
 * reach across every provider; and a closing line on stderr for each upload, success included.
 */
import { spawn } from 'node:child_process';
import { providerScenarios, scenarioRef } from '@upstat/mocks';
import { PROVIDERS } from '@upstat/providers';
import { isTerminal } from 'upstat';
import { describe, expect, it } from 'vitest';
import { bin, cleanEnv, collect } from './support.js';

/** Every scenario that ends in a terminal state, of every provider: a ref each. */
const ENDINGS = PROVIDERS.flatMap(({ definition }) =>
  providerScenarios(definition.id)
    .filter((scenario) => isTerminal(scenario.name))
    .map((scenario) => ({ state: scenario.name, ref: scenarioRef(definition.id, scenario.name, 'plain') })),
);

describe('plain output through a pipe', () => {
  it('prints each status once, the final one included, for every terminal state; a closing line each on stderr', async () => {
    expect(new Set(ENDINGS.map((ending) => ending.state)).size).toBeGreaterThanOrEqual(3);
    const run = await collect(
      spawn(process.execPath, [bin, 'mock', '--', process.execPath, bin, 'wait', ...ENDINGS.map((ending) => ending.ref), '--min-delay', '50ms', '--max-delay', '50ms'], {
        env: cleanEnv({}),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const lines = run.stdout.split('\n').filter(Boolean);
    for (const { state, ref } of ENDINGS) {
      const mine = lines.filter((line) => line.startsWith(`${ref}  `));
      // Consecutive lines of one upload are never the same status twice.
      mine.forEach((line, index) => {
        expect(line, `${ref} printed the same status twice in a row`).not.toBe(mine[index - 1]);
      });
      expect(mine.filter((line) => line.startsWith(`${ref}  ${state}  `)), `${ref}: its final ${state} status`).toHaveLength(1);
      expect(mine.at(-1)).toMatch(new RegExp(`^\\S+ {2}${state} {2}`));
    }
    const closing = run.stderr.split('\n').filter((line) => line.startsWith('upstat: '));
    for (const { ref } of ENDINGS) expect(closing.filter((line) => line.includes(ref)), ref).toHaveLength(1);
  });
});
