/**
 * SQL that turns a JSON date value (ISO string, or epoch millis as a number) at a bound path of a
 * JSON/JSONB column into epoch milliseconds; NULL when absent or unparseable.
 */
export function epochMsSql(col: string, pathSql: string): string {
  return `(CASE json_type(${col}, ${pathSql})
    WHEN 'text' THEN CAST(round(unixepoch(${col} ->> ${pathSql}, 'subsec') * 1000) AS INTEGER)
    WHEN 'integer' THEN ${col} ->> ${pathSql}
    WHEN 'real' THEN CAST(${col} ->> ${pathSql} AS INTEGER)
    ELSE NULL END)`;
}

/** The `@timestamp` of a JSONB document column, epoch ms. */
export const TIMESTAMP_MS = (col: string) => epochMsSql(col, `'$."@timestamp"'`);
