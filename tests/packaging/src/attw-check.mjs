#!/usr/bin/env node
// Are the Types Wrong for several tarballs in one process: `node src/attw-check.mjs <jobs.json>` prints, for each job
// { name, tarball, profile, excludeEntrypoints }, what `attw <tarball> --format json --profile <profile>` prints
// ({ analysis, problems grouped by kind }) and the exit code it would give. One process because attw loads the
// TypeScript compiler to analyse a package: once for all of them, instead of once per package (tests/packaging's lint
// suite ran ten attw processes, a fifth of the suite's CPU).
//
// The profiles are attw's own (@arethetypeswrong/cli's profiles.js): which resolution modes' problems do not count.
import { readFileSync } from 'node:fs';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { groupProblemsByKind } from '@arethetypeswrong/core/utils';

const PROFILES = { strict: [], node16: ['node10'], 'esm-only': ['node10', 'node16-cjs'] };

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = {};
for (const { name, tarball, profile, excludeEntrypoints } of jobs) {
  const ignored = PROFILES[profile];
  if (ignored === undefined) throw new Error(`${name}: unknown attw profile ${profile}`);
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(tarball))), { excludeEntrypoints });
  const output = { analysis };
  let exitCode = 0;
  if (analysis.types) {
    output.problems = groupProblemsByKind(analysis.problems);
    exitCode = analysis.problems.some((problem) => !('resolutionKind' in problem) || !ignored.includes(problem.resolutionKind)) ? 1 : 0;
  }
  results[name] = { output, exitCode };
}
process.stdout.write(JSON.stringify(results));
