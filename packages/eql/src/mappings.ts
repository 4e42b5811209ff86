/** Elasticsearch mappings as the evaluator needs them: each field path's value type, alias target and null_value. */

export type FieldType = 'keyword' | 'text' | 'long' | 'double' | 'date' | 'boolean' | 'ip' | 'version' | 'object' | 'other';

export interface FieldInfo {
  type: FieldType;
  /** The path the values are read from (an alias's target; a multi-field's parent). */
  source: string;
  nullValue?: unknown;
  format?: string;
}

const TYPE_OF: Record<string, FieldType> = {
  keyword: 'keyword', constant_keyword: 'keyword', wildcard: 'keyword', '[runtime_random_keyword_type]': 'keyword',
  text: 'text', match_only_text: 'text',
  long: 'long', integer: 'long', short: 'long', byte: 'long', unsigned_long: 'long',
  double: 'double', float: 'double', half_float: 'double', scaled_float: 'double',
  date: 'date', date_nanos: 'date', boolean: 'boolean', ip: 'ip', version: 'version',
  object: 'object', nested: 'object', flattened: 'other',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field paths of a mapping, with aliases resolved. Accepts `{ properties }`, `{ mappings: { properties } }` or a map of either. */
export class FieldIndex {
  private readonly fields = new Map<string, FieldInfo>();

  constructor(mapping: object | undefined) {
    if (!isRecord(mapping)) return;
    const root = isRecord(mapping.mappings) ? mapping.mappings : mapping;
    if (isRecord(root.properties)) this.walk(root.properties, '');
    const aliases: [string, string][] = [];
    for (const [path, info] of this.fields) if (info.type === 'other' && info.source !== path) aliases.push([path, info.source]);
    for (const [path, target] of aliases) {
      const t = this.fields.get(target);
      this.fields.set(path, t ? { ...t } : { type: 'other', source: target });
    }
  }

  private walk(props: Record<string, unknown>, prefix: string): void {
    for (const [name, def] of Object.entries(props)) {
      if (!isRecord(def)) continue;
      const path = prefix + name;
      const rawType = typeof def.type === 'string' ? def.type : isRecord(def.properties) ? 'object' : 'other';
      if (rawType === 'alias' && typeof def.path === 'string') {
        this.fields.set(path, { type: 'other', source: def.path });
        continue;
      }
      const info: FieldInfo = { type: TYPE_OF[rawType] ?? 'other', source: path };
      if (def.null_value !== undefined) info.nullValue = def.null_value;
      if (typeof def.format === 'string') info.format = def.format;
      this.fields.set(path, info);
      if (isRecord(def.properties)) this.walk(def.properties, `${path}.`);
      if (isRecord(def.fields)) {
        for (const [sub, subDef] of Object.entries(def.fields)) {
          if (!isRecord(subDef)) continue;
          const st = typeof subDef.type === 'string' ? subDef.type : 'other';
          this.fields.set(`${path}.${sub}`, { type: TYPE_OF[st] ?? 'other', source: path });
        }
      }
    }
  }

  /** What is known about `path`; undefined for unmapped (dynamically typed) fields. */
  get(path: string): FieldInfo | undefined {
    return this.fields.get(path);
  }

  get size(): number {
    return this.fields.size;
  }
}

/** Converts one raw document value to the field's type as Elasticsearch indexes it; null when it cannot be indexed. */
export function convertValue(v: unknown, info: FieldInfo, parseDate: (v: unknown, f?: string) => number | null, normalizeIp: (s: string) => string): unknown {
  switch (info.type) {
    case 'keyword':
    case 'text':
    case 'version':
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
    case 'long':
    case 'double': {
      if (typeof v === 'number') return info.type === 'long' ? Math.trunc(v) : v;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return info.type === 'long' ? Math.trunc(Number(v)) : Number(v);
      return null;
    }
    case 'date':
      return parseDate(v, info.format);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false' || v === '') return false;
      return null;
    case 'ip':
      return typeof v === 'string' ? normalizeIp(v) : null;
    default:
      return v;
  }
}
