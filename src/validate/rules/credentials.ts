import { error } from '../../diagnostics.js';
import { keyPath } from '../../show-value.js';
import type { Rule } from '../rule.js';

// Build args end up in image history and `docker inspect`; credentials belong in BuildKit
// secrets (RUN --mount=type=secret), which never reach a layer.

const SECRET_WORDS = new Set(['TOKEN', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PWD', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATE']);
const SECRET_PAIRS = ['API_KEY', 'ACCESS_KEY', 'SECRET_KEY', 'PRIVATE_KEY', 'AUTH_KEY', 'SESSION_KEY', '_SECRET', 'APIKEY'];
const SECRET_ENDINGS = ['TOKEN', 'PASSWORD', 'SECRET'];

/** Whether an arg or variable name says it carries a credential (HF_TOKEN, AWS_ACCESS_KEY_ID, DB_SECRET_X...). */
export function isCredentialName(name: string): boolean {
  const upper = name.toUpperCase().replaceAll('-', '_');
  if (upper.split('_').some((w) => SECRET_WORDS.has(w))) return true;
  return SECRET_PAIRS.some((p) => upper.includes(p)) || SECRET_ENDINGS.some((e) => upper.endsWith(e));
}

// Words that make a name a switch about a credential rather than one: vLLM's
// SCCACHE_S3_NO_CREDENTIALS=0, USE_TOKEN=1.
const SWITCH_WORDS = new Set(['NO', 'USE', 'ENABLE', 'ENABLED', 'DISABLE', 'DISABLED', 'SKIP', 'ALLOW', 'REQUIRE', 'REQUIRED', 'HAS', 'WITH', 'WITHOUT', 'IS']);
const SWITCH_VALUE = /^(0|1|true|false|yes|no|on|off)$/i;

/**
 * Whether an arg carries a credential, judged by the words of its name and the shape of its value:
 * a name with a switch word whose value is a switch's (0/1, true/false, yes/no, on/off), or that
 * has no value to judge (a Dockerfile `ARG` without a default), is a flag. An empty value is not
 * a switch's: `HF_TOKEN = ""` is still a credential's slot.
 */
export function isCredentialArg(name: string, value?: string): boolean {
  if (!isCredentialName(name)) return false;
  const words = name.toUpperCase().replaceAll('-', '_').split('_');
  const aSwitch = words.some((w) => SWITCH_WORDS.has(w)) && (value === undefined || SWITCH_VALUE.test(value.trim()));
  return !aSwitch;
}

const SECRET_VALUES: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}/, 'a GitHub token'],
  [/\bhf_[A-Za-z0-9]{30,}/, 'a Hugging Face token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\bnvapi-[A-Za-z0-9_-]{20,}/, 'an NGC API key'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}/, 'an OpenAI API key'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  // https://user:password@host: pip, npm and git index URLs are where passwords hide.
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, 'a URL with a password'],
];

/** What kind of credential a value looks like, if any. */
export function credentialKind(value: string): string | undefined {
  return SECRET_VALUES.find(([re]) => re.test(value))?.[1];
}

const HINT = 'pass credentials as BuildKit secrets (RUN --mount=type=secret), never as build args; sccache AWS keys come from [sccache] as secrets';
const HINT_ANYWHERE = 'remove it: the matrix is committed, and its strings reach the bake file, labels and tags; pass credentials as BuildKit secrets';

// The value itself is never echoed: it may be a live credential. The key path and the kind name it.
export const noCredentialsInArgs: Rule = ({ file, model, report }) => {
  const reported = new Set<string>();
  const check = (path: string, args: Record<string, string>) => {
    for (const [name, value] of Object.entries(args)) {
      const at = `${path}.${keyPath(name)}`;
      if (isCredentialArg(name, value)) report(error(at, `arg "${name}" looks like a credential`, HINT));
      else {
        const kind = credentialKind(value);
        if (kind) report(error(at, `the value of arg "${name}" looks like ${kind}`, HINT));
      }
      reported.add(at);
    }
  };
  check('project.args', model.project.args);
  for (const axis of [...model.axes, ...(model.arch ? [model.arch] : [])])
    for (const v of axis.values) check(keyPath('axis', axis.name, 'values', v.value, 'args'), v.args);
  for (const stage of model.stages) check(keyPath('stage', stage.name, 'args'), stage.args);
  for (const w of model.when) check(keyPath('when', w.index, 'args'), w.args);
  check('variables', model.variables);
  for (const stage of model.stages) {
    for (const [arg, v] of Object.entries(stage.variableArgs)) {
      if (isCredentialArg(arg, model.variables[v]) || isCredentialArg(v, model.variables[v]))
        report(error(keyPath('stage', stage.name, 'variable_args', arg), `bake variable "${v}" passed as arg "${arg}" looks like a credential`, HINT));
    }
    stage.variables.forEach((v, i) => {
      if (isCredentialArg(v, model.variables[v]))
        report(error(keyPath('stage', stage.name, 'variables', i), `variable "${v}" looks like a credential and would be passed as a build arg`, HINT));
    });
  }
  // Anywhere else (a description, a label, an axis value, a registry) a token is as public.
  walkStrings(file, [], (path, value) => {
    const at = keyPath(...path);
    const kind = reported.has(at) ? undefined : credentialKind(value);
    if (kind) report(error(at, `this string looks like ${kind}`, HINT_ANYWHERE));
  });
};

function walkStrings(v: unknown, path: (string | number)[], visit: (path: (string | number)[], s: string) => void): void {
  if (typeof v === 'string') visit(path, v);
  else if (Array.isArray(v)) v.forEach((x, i) => walkStrings(x, [...path, i], visit));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkStrings(x, [...path, k], visit);
}
