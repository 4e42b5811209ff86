// EUI ships types for its icon internals under `src/`, the code under `es/`; map the `es/` paths to them.
declare module '@elastic/eui/es/components/icon/icon' {
  export { appendIconComponentCache } from '@elastic/eui/src/components/icon/icon';
}
declare module '@elastic/eui/es/components/icon/assets/*' {
  import type { ComponentType, SVGProps } from 'react';
  export const icon: ComponentType<SVGProps<SVGSVGElement> & { title?: string; titleId?: string }>;
}
