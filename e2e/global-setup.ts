import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeedClient } from './support/api-client';
import { adminUser, analystUser, baseURL, e2eDataDir, ruleId, viewerUser } from './support/env';
import { seedAlerts } from './support/seed';

/** Seeds the fresh e2e server: users of each role, sessions of every kind with their audit events, one rule run. */
export default async function globalSetup(): Promise<void> {
  const admin = new SeedClient(baseURL, adminUser.username, adminUser.password);
  await admin.ensureUser(analystUser.username, analystUser.password, ['analyst']);
  await admin.ensureUser(viewerUser.username, viewerUser.password, ['viewer']);
  const summary = await seedAlerts(
    admin,
    ruleId,
    [
      { kind: 'attacker', count: 4 },
      { kind: 'admin', count: 12 },
      { kind: 'developer', count: 10 },
      { kind: 'ci', count: 40 },
    ],
    1500,
  );
  if (summary.alertsCreated < 60) throw new Error(`expected at least 60 alerts from the seed, the rule created ${summary.alertsCreated}`);
  // Who ran the exec: the seed holds every attribution outcome, and audit events that came after the rule run.
  const { expected, lateSessions } = summary.audit;
  if (expected.ambiguous < 2 || expected.none < 1 || lateSessions < 1) throw new Error(`the seed lacks an attribution case: ${JSON.stringify(summary.audit)}`);
  writeFileSync(join(e2eDataDir(), 'seed-summary.json'), JSON.stringify(summary));
}
