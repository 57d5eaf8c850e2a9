export { startLocalServer, sendJson, type LocalServer, type ReceivedRequest } from './local-server.js';
export { virtualClock, type VirtualClock } from './virtual-clock.js';
export { PLANTED_RELEASE_SIZE, plantedReleases, syntheticSpec, type SyntheticSpecOptions } from './synthetic-spec.js';
export { copyRepo, isolatedRepoCopy, repoRoot, snapshot, spec } from './repo-copy.js';
export { PNPM, TSC, packPackage, publishedPackages, readManifest, workspacePackages, type Manifest, type PackedTarball, type WorkspacePackage } from './packages.js';
export { readTarball, type TarEntry } from './tarball.js';
export { seeded } from './random.js';
export { successExample } from './examples.js';
