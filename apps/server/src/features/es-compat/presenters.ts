/** The answers of the Elasticsearch-compatible endpoints, in the shapes an Elasticsearch 8 cluster gives them. */
import { CLUSTER_NAME, ELASTICSEARCH_VERSION, type ClusterIdentity } from './cluster-identity';
import type { PipelineSummary, PolicySummary, Recorded, TemplateSummary } from './setup-records';

/** What the answers say about this server besides its stored identity. */
export interface ServerFacts {
  /** The node's name (the host name, as Elasticsearch's default). */
  nodeName: string;
  /** Execwatch's own version (in `build_hash`: no Elasticsearch build is running). */
  serverVersion: string;
  /** When this server started (`build_date`). */
  startedAt: string;
  /** The largest bulk body the server takes. */
  maxContentLengthBytes: number;
}

const build = (facts: ServerFacts) => ({ build_flavor: 'default', build_type: 'execwatch', build_hash: `execwatch-${facts.serverVersion}`, build_date: facts.startedAt });

/** `GET /`. */
export function presentRoot(id: ClusterIdentity, facts: ServerFacts) {
  const { build_flavor, build_type, build_hash, build_date } = build(facts);
  return {
    name: facts.nodeName,
    cluster_name: CLUSTER_NAME,
    cluster_uuid: id.cluster_uuid,
    version: {
      number: ELASTICSEARCH_VERSION.number,
      build_flavor,
      build_type,
      build_hash,
      build_date,
      build_snapshot: false,
      lucene_version: ELASTICSEARCH_VERSION.lucene_version,
      minimum_wire_compatibility_version: ELASTICSEARCH_VERSION.minimum_wire_compatibility_version,
      minimum_index_compatibility_version: ELASTICSEARCH_VERSION.minimum_index_compatibility_version,
    },
    tagline: 'You Know, for Search',
  };
}

/** `GET /_license`: a basic license, issued when the installation's identity was made (basic licenses do not expire). */
export function presentLicense(id: ClusterIdentity) {
  return {
    license: {
      status: 'active',
      uid: id.license_uid,
      type: 'basic',
      issue_date: new Date(id.created_at).toISOString(),
      issue_date_in_millis: id.created_at,
      max_nodes: 1000,
      max_resource_units: null,
      issued_to: CLUSTER_NAME,
      issuer: 'elasticsearch',
      start_date_in_millis: -1,
    },
  };
}

/** `GET /_cluster/health`: one node holding everything, green. */
export function presentHealth() {
  return {
    cluster_name: CLUSTER_NAME,
    status: 'green',
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: 0,
    active_shards: 0,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    unassigned_primary_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100,
  };
}

const feature = (on: boolean) => ({ available: on, enabled: on });

/**
 * `GET /_xpack`: the license and which features a shipper may use. Security is on (every request is
 * authenticated); ILM and data streams are "available" so that shippers set them up as usual (their setup is
 * recorded and acknowledged, see setup-records.ts); features Execwatch does not have are off.
 */
export function presentXpack(id: ClusterIdentity, facts: ServerFacts) {
  const { build_hash, build_date } = build(facts);
  return {
    build: { hash: build_hash, date: build_date },
    license: { uid: id.license_uid, type: 'basic', mode: 'basic', status: 'active' },
    features: {
      security: feature(true),
      ilm: feature(true),
      data_streams: feature(true),
      data_tiers: feature(true),
      ml: feature(false),
      monitoring: feature(false),
      watcher: feature(false),
      graph: feature(false),
      transform: feature(false),
      ccr: feature(false),
      searchable_snapshots: feature(false),
    },
    tagline: 'You know, for X',
  };
}

/** `host:port` as Elasticsearch writes an address (IPv6 in brackets, IPv4-mapped addresses as IPv4). */
export function formatAddress(address: string, port: number): string {
  const ip = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `GET /_nodes/http`: this one node, published at the address the request came in on. */
export function presentNodesHttp(id: ClusterIdentity, facts: ServerFacts, local: { address: string; port: number }) {
  const { build_flavor, build_type, build_hash } = build(facts);
  const publish = formatAddress(local.address, local.port);
  const ip = publish.startsWith('[') ? publish.slice(1, publish.lastIndexOf(']')) : publish.slice(0, publish.lastIndexOf(':'));
  return {
    _nodes: { total: 1, successful: 1, failed: 0 },
    cluster_name: CLUSTER_NAME,
    nodes: {
      [id.node_id]: {
        name: facts.nodeName,
        host: ip,
        ip,
        version: ELASTICSEARCH_VERSION.number,
        build_flavor,
        build_type,
        build_hash,
        roles: ['data', 'ingest', 'master'],
        attributes: {},
        http: { bound_address: [publish], publish_address: publish, max_content_length_in_bytes: facts.maxContentLengthBytes },
      },
    },
  };
}

/** `GET /{index}` for data streams Execwatch has: no mappings or settings of its own beyond the name. */
export function presentIndices(names: readonly string[]) {
  return Object.fromEntries(
    names.map((name) => [name, { aliases: {}, mappings: {}, settings: { index: { provided_name: name, number_of_shards: '1', number_of_replicas: '0' } } }]),
  );
}

/** Says in the answer itself that a setup object was recorded, not applied. */
const recordedOnly = (modifiedAt: string) => ({ execwatch: { recorded_only: true, modified_at: modifiedAt } });

/** `GET /_index_template/{name}`. */
export function presentTemplates(found: readonly [string, Recorded<TemplateSummary>][]) {
  return {
    index_templates: found.map(([name, t]) => ({
      name,
      index_template: {
        index_patterns: t.index_patterns,
        composed_of: t.composed_of,
        ...(t.priority === null ? {} : { priority: t.priority }),
        ...(t.version === null ? {} : { version: t.version }),
        ...(t.data_stream ? { data_stream: { hidden: false, allow_custom_routing: false } } : {}),
        _meta: recordedOnly(t.modified_at),
      },
    })),
  };
}

/** `GET /_ilm/policy/{name}`. */
export function presentPolicies(found: readonly [string, Recorded<PolicySummary>][]) {
  return Object.fromEntries(
    found.map(([name, p]) => [
      name,
      {
        version: p.revision,
        modified_date: p.modified_at,
        policy: { phases: Object.fromEntries(p.phases.map((phase) => [phase, { actions: {} }])), _meta: recordedOnly(p.modified_at) },
        in_use_by: { indices: [], data_streams: [], composable_templates: [] },
      },
    ]),
  );
}

/** `GET /_ingest/pipeline/{id}`: no processors (none runs: events are stored as they arrive). */
export function presentPipelines(found: readonly [string, Recorded<PipelineSummary>][]) {
  return Object.fromEntries(
    found.map(([name, p]) => [
      name,
      { ...(p.description === null ? {} : { description: p.description }), ...(p.version === null ? {} : { version: p.version }), processors: [], _meta: { ...recordedOnly(p.modified_at), processors_sent: p.processors } },
    ]),
  );
}
