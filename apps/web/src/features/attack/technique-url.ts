/** A technique's page on attack.mitre.org: `T1552.001` -> `https://attack.mitre.org/techniques/T1552/001/`. */
export function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.trim().replace('.', '/')}/`;
}
