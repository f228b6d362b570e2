import type { Matrix } from '../model/model.js';
import type { BakeVariable } from './bake-file.js';
import { cond, nul, ref, str, tpl, type Expr } from './expr.js';

// sccache on S3: settings as args, credentials only as BuildKit secrets, all only when
// USE_SCCACHE is on. Secret ids are the ones Dynamo's use-sccache.sh reads.

export function sccacheVariables(m: Matrix): BakeVariable[] {
  if (!m.sccache) return [];
  const vars: BakeVariable[] = [
    { name: 'SCCACHE_BUCKET', default: str(m.sccache.bucket), comment: 'SCCACHE_BUCKET: S3 bucket of the sccache' },
    { name: 'SCCACHE_REGION', default: str(m.sccache.region), comment: 'SCCACHE_REGION: region of the sccache bucket' },
  ];
  if (m.sccache.auth === 'oidc') {
    vars.push({
      name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
      default: str(''),
      comment: 'AWS_WEB_IDENTITY_TOKEN_FILE: file with the OIDC token (set by the CI runner)',
    });
  }
  return vars;
}

/** The sccache settings as build args, under the Dockerfile's names ([sccache.args]); "" passes none. */
export function sccacheArgs(m: Matrix): [string, Expr][] {
  if (!m.sccache) return [];
  const when = (e: Expr) => cond(ref('USE_SCCACHE'), e, nul);
  const { args } = m.sccache;
  const all: [string, Expr][] = [
    [args.use, when(str(m.sccache.on))],
    [args.bucket, when(ref('SCCACHE_BUCKET'))],
    [args.region, when(ref('SCCACHE_REGION'))],
    [args.keyPrefix, when(str(m.sccache.keyPrefix))],
  ];
  return all.filter(([name]) => name !== '');
}

export function sccacheSecrets(auth: 'static' | 'oidc' | 'none'): Expr[] {
  if (auth === 'static') {
    return [str('id=aws-key-id,env=AWS_ACCESS_KEY_ID'), str('id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY')];
  }
  if (auth === 'oidc') {
    return [tpl('id=aws-web-identity-token,src=', ref('AWS_WEB_IDENTITY_TOKEN_FILE')), str('id=aws-role-arn,env=AWS_ROLE_ARN')];
  }
  return [];
}
