import { error } from '../../diagnostics.js';
import type { Rule } from '../rule.js';

// Build args end up in image history and `docker inspect`; credentials belong in BuildKit
// secrets (RUN --mount=type=secret), which never reach a layer.

const SECRET_WORDS = new Set(['TOKEN', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PWD', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATE']);
const SECRET_PAIRS = ['API_KEY', 'ACCESS_KEY', 'SECRET_KEY', 'PRIVATE_KEY', 'AUTH_KEY', 'SESSION_KEY'];

/** Whether an arg or variable name says it carries a credential (HF_TOKEN, AWS_ACCESS_KEY_ID...). */
export function isCredentialName(name: string): boolean {
  const upper = name.toUpperCase().replaceAll('-', '_');
  if (upper.split('_').some((w) => SECRET_WORDS.has(w))) return true;
  return SECRET_PAIRS.some((p) => upper.includes(p));
}

const SECRET_VALUES: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}/, 'a GitHub token'],
  [/\bhf_[A-Za-z0-9]{30,}/, 'a Hugging Face token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'a GitLab token'],
  [/\bnvapi-[A-Za-z0-9_-]{20,}/, 'an NGC API key'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
];

/** What kind of credential a value looks like, if any. */
export function credentialKind(value: string): string | undefined {
  return SECRET_VALUES.find(([re]) => re.test(value))?.[1];
}

const HINT = 'pass credentials as BuildKit secrets (RUN --mount=type=secret), never as build args; sccache AWS keys come from [sccache] as secrets';

export const noCredentialsInArgs: Rule = ({ model, report }) => {
  const check = (path: string, args: Record<string, string>) => {
    for (const [name, value] of Object.entries(args)) {
      // The value itself is never echoed: it may be a live credential.
      if (isCredentialName(name)) report(error(`${path}.${name}`, `arg "${name}" looks like a credential`, HINT));
      else {
        const kind = credentialKind(value);
        if (kind) report(error(`${path}.${name}`, `the value of arg "${name}" looks like ${kind}`, HINT));
      }
    }
  };
  check('project.args', model.project.args);
  for (const axis of model.axes) for (const v of axis.values) check(`axis.${axis.name}.values.${v.value}.args`, v.args);
  for (const stage of model.stages) check(`stage.${stage.name}.args`, stage.args);
  check('variables', model.variables);
  for (const stage of model.stages) {
    stage.variables.forEach((v, i) => {
      if (isCredentialName(v)) report(error(`stage.${stage.name}.variables[${i}]`, `variable "${v}" looks like a credential and would be passed as a build arg`, HINT));
    });
  }
};
