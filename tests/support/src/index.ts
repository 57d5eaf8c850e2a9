export { startLocalServer, sendJson, type LocalServer, type ReceivedRequest } from './local-server.js';
export { virtualClock, type VirtualClock } from './virtual-clock.js';
export { PLANTED_RELEASE_SIZE, plantedReleases, syntheticSpec, type SyntheticSpecOptions } from './synthetic-spec.js';
export { copyRepo, isolatedRepoCopy, repoRoot, snapshot, spec } from './repo-copy.js';
export { PANDADOC_COVERED, PANDADOC_OPERATION, wholePandadoc, type WholeOptions } from './whole-document.js';
export { PNPM, TSC, packPackage, publishedPackages, readManifest, workspacePackages, type Manifest, type PackedTarball, type WorkspacePackage } from './packages.js';
export { readTarball, type TarEntry } from './tarball.js';
export { seeded } from './random.js';
export { successExample } from './examples.js';
export { freePort, MISSING as REDIS_MISSING, hasOpenssl, hasRedis, selfSignedCertificate, skipRedis, startRedis, type RedisServer, type TlsFiles } from './redis.js';
export { busiestWindow } from './windows.js';
export { scriptedServer, type Answer, type Script, type ScriptedServer, type StatusBody } from './scripted-server.js';
export {
  carriedCredential,
  credentialForms,
  credentialOptions,
  credentialValues,
  expectedCarriage,
  fetchesToken,
  sharedTokenUrl,
  withTokenEndpoint,
  type DeclaredCredential,
} from './credentials.js';
