import type { Diagnostic } from '../../diagnostics.js';
import type { CiMatrix } from './ci-job.js';
import { checkGithub, emitGithub } from './emit-github.js';
import { checkGitlab, emitGitlab } from './emit-gitlab.js';

export interface CiEmitter {
  /** What the format cannot express (its job limits, names it reserves); empty when it can. */
  check: (ci: CiMatrix) => Diagnostic[];
  /** Pure and total once `check` found nothing. */
  emit: (ci: CiMatrix) => string;
}

/** Output formats of `ci`. */
export const CI_EMITTERS = {
  github: { check: checkGithub, emit: emitGithub },
  gitlab: { check: checkGitlab, emit: emitGitlab },
} satisfies Record<string, CiEmitter>;

export type CiFormat = keyof typeof CI_EMITTERS;
export const CI_FORMATS = Object.keys(CI_EMITTERS) as CiFormat[];
