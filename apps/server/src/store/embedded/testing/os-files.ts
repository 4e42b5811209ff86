/** What the OS holds of a file, for tests of the store's files (Linux): page cache residency, open descriptors. */
import fs from 'node:fs';
import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');
const koffi = createRequire(import.meta.url)('koffi') as Koffi;

const PROT_READ = 1;
const MAP_SHARED = 1;

let libc: {
  mmap: (addr: null, len: number, prot: number, flags: number, fd: number, off: number) => unknown;
  munmap: (addr: unknown, len: number) => number;
  mincore: (addr: unknown, len: number, vec: Uint8Array) => number;
} | null = null;

function bind(): NonNullable<typeof libc> {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    mmap: lib.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)'),
    munmap: lib.func('int munmap(void *addr, size_t len)'),
    mincore: lib.func('int mincore(void *addr, size_t len, _Out_ uint8_t *vec)'),
  } as NonNullable<typeof libc>;
  return libc;
}

/** Bytes of `file` in the page cache, in 4 kB pages. */
export function residentBytes(file: string): number {
  const { mmap, munmap, mincore } = bind();
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return 0;
    const addr = mmap(null, size, PROT_READ, MAP_SHARED, fd, 0);
    if (koffi.address(addr) === 0xffffffffffffffffn) throw new Error(`mmap of ${file} failed`);
    try {
      const pageSize = 4096;
      const vec = new Uint8Array(Math.ceil(size / pageSize));
      if (mincore(addr, size, vec) !== 0) throw new Error(`mincore of ${file} failed`);
      let pages = 0;
      for (const v of vec) pages += v & 1;
      return pages * pageSize;
    } finally {
      munmap(addr, size);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** True when `dir` is on tmpfs, whose pages are the file itself and cannot be dropped. */
export function onTmpfs(dir: string): boolean {
  const TMPFS_MAGIC = 0x01021994;
  return fs.statfsSync(dir).type === TMPFS_MAGIC;
}

/** This process's open descriptors of `file`. */
export function openDescriptors(file: string): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // the listing's own descriptor, closed meanwhile
    }
  }).length;
}
