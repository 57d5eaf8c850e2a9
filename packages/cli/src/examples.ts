import type { ProviderId } from 'upstat';

/** One ref per provider, matching the examples in the providers' specs (what the mocks answer for). */
export const EXAMPLE_REFS: Record<ProviderId, string> = {
  pandadoc: 'pandadoc:BhVzRcxH9Z2LgfPPGXFUBa/LQ6cUT7xevPLUEgJeF8Zrm',
  document360: 'document360:7f0c3b8e-2d4a-4c1e-9b6f-1a2b3c4d5e6f/a3b4c5d6-1234-5678-9abc-def012345678',
  sendai: 'sendai:team_123456/proj_123456/upl_abcdef123456',
  nullspace: 'nullspace:sb_a1b2c3d4/upl_7Qm2x9K4',
};
