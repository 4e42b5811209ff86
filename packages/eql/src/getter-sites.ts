/**
 * Field reads for the hot path. V8 keeps one inline cache per property-read *site* in the source, shared by every
 * closure created there; a single getter factory used for many field paths therefore makes its reads megamorphic
 * (a hash lookup per read). These factories are identical copies, each a separate site: distinct field paths are
 * spread over them so that, for a rule's handful of fields, each read stays monomorphic. Written out by hand
 * because code generation at run time (`new Function`) is not used.
 *
 * Each getter reads the nested path, or the whole path as one dotted key (as partial documents hold it), and hands
 * over to `miss` (mixed forms, arrays, absent fields) otherwise.
 */
type Rec = Record<string, unknown>;
export type SiteGetter = (doc: object) => unknown;
type Miss = (doc: object) => unknown;

export const SITES_2: ((s0: string, s1: string, path: string, miss: Miss) => SiteGetter)[] = [
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const v = (a as Rec)[s1];
      if (v !== undefined) return v;
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
];

export const SITES_3: ((s0: string, s1: string, s2: string, path: string, miss: Miss) => SiteGetter)[] = [
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const v = (b as Rec)[s2];
        if (v !== undefined) return v;
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
];

export const SITES_4: ((s0: string, s1: string, s2: string, s3: string, path: string, miss: Miss) => SiteGetter)[] = [
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
  (s0, s1, s2, s3, path, miss) => (doc) => {
    const a = (doc as Rec)[s0];
    if (typeof a === 'object' && a !== null) {
      const b = (a as Rec)[s1];
      if (typeof b === 'object' && b !== null) {
        const c = (b as Rec)[s2];
        if (typeof c === 'object' && c !== null) {
          const v = (c as Rec)[s3];
          if (v !== undefined) return v;
        }
      }
    } else if (a === undefined) {
      const flat = (doc as Rec)[path];
      if (flat !== undefined) return flat;
    }
    return miss(doc);
  },
];
