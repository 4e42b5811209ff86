let counter = 0;

/** lodash's `uniqueId`, the one lodash function EUI's theme package takes from the whole (untree-shakeable) lodash build. */
export function uniqueId(prefix = ''): string {
  counter += 1;
  return `${prefix}${counter}`;
}
