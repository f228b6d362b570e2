import { error } from '../../diagnostics.js';
import type { Rule } from '../rule.js';

// HCL normalises every string literal to Unicode NFC (buildx does, for HCL and JSON bake files
// alike), so a string in another form would reach the build changed. Refuse it instead.

export const stringsAreNfc: Rule = ({ file, report }) => {
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      if (v !== v.normalize('NFC')) {
        report(error(path, 'string is not in Unicode NFC form, and bake would silently change it', 'write it in NFC (composed) form'));
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (k !== k.normalize('NFC')) report(error(at, 'key is not in Unicode NFC form', 'write it in NFC (composed) form'));
        walk(x, at);
      }
    }
  };
  walk(file, '');
};
