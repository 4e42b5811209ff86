/**
 * Every route the server declares, feature by feature. The policy table, the authorization matrix test's
 * inventory and the README's API list are read from here.
 */
import { authRoutes } from './auth/routes/index';
import { exceptionRoutes } from './exceptions/routes';
import { kubeAuditRoutes } from './features/attribution/routes';
import { detectionEngineRoutes } from './features/detection-engine/routes';
import { esCompatRoutes } from './features/es-compat/routes';
import { notificationRoutes } from './features/notifications/routes';
import { storageRoutes } from './features/storage/routes';
import { policiesOf, type RoutePolicy, type RouteShape } from './http/route';
import { documentWriteRoutes } from './ingest/doc-routes';
import { bulkIngestRoutes } from './ingest/routes';
import { alertRoutes } from './routes/alerts-routes';
import { eventRoutes } from './routes/events-routes';
import { healthRoutes } from './routes/health-routes';
import { ruleRoutes } from './routes/rules-routes';

/** The declarations, in the order of the API list. */
export const declaredRoutes = [
  { title: 'Health', routes: healthRoutes },
  { title: 'Sign-in, users, API keys, audit', routes: authRoutes },
  { title: 'Ingest', routes: [...bulkIngestRoutes, ...documentWriteRoutes, ...kubeAuditRoutes] },
  { title: 'Elasticsearch handshake and shipper setup (Elasticsearch-shaped answers and errors)', routes: esCompatRoutes },
  { title: 'Alerts and triage', routes: [...alertRoutes, ...eventRoutes] },
  { title: "Kibana's detection-engine signals API (SOAR connectors)", routes: detectionEngineRoutes },
  { title: 'Team: assignee suggestions, inbox', routes: notificationRoutes },
  { title: 'Rules', routes: ruleRoutes },
  { title: "Exceptions (Kibana's exception-list API)", routes: exceptionRoutes },
  { title: 'Store: size, retention, disk guard', routes: storageRoutes },
] as const;

/** Which requirement each route has: the server's policy table. */
export const routePolicies: readonly RoutePolicy[] = policiesOf(declaredRoutes.flatMap((g): readonly RouteShape[] => g.routes));

/** The policy entry for a method and a route pattern, or undefined when no route is declared so. */
export function routePolicyFor(method: string, path: string): RoutePolicy | undefined {
  return routePolicies.find((p) => p.method === method.toUpperCase() && p.path === path);
}

const requirement = (r: RoutePolicy) => (r.requires === 'public' ? 'public' : r.requires === 'authenticated' ? 'signed in' : `\`${r.requires}\``);

/** The README's API list (Markdown), one line a route. */
export function apiListMarkdown(): string {
  const lines: string[] = [];
  for (const group of declaredRoutes) {
    lines.push(`**${group.title}**`, '');
    lines.push('| method | path | needs | what |', '|---|---|---|---|');
    for (const r of group.routes) lines.push(`| ${r.method} | \`${r.path.replace(/:(\w+)/g, '{$1}')}\` | ${requirement(r)} | ${r.summary.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

const LIST_START = '<!-- api-list:start (generated from the route declarations: npm run api-list) -->';
const LIST_END = '<!-- api-list:end -->';

/** `readme` with its API list block rewritten from the declarations; null when it has no such block. */
export function withApiList(readme: string): string | null {
  const from = readme.indexOf(LIST_START);
  const to = readme.indexOf(LIST_END);
  if (from < 0 || to < from) return null;
  return `${readme.slice(0, from + LIST_START.length)}\n${apiListMarkdown()}\n${readme.slice(to)}`;
}
