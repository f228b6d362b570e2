import { runCli } from '../../src/cli/main.js';

/**
 * The CLI run in this test's own process, from the repository: what it prints and its exit code,
 * as from the binary, without a Node start per call. The bad-input corpus is some 500 runs; as
 * processes they took over two minutes of the unit suite. The binary itself is run by cli.test.ts
 * and the e2e tests.
 */
export async function cliInProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += `${s}\n`;
    },
  });
  return { status, stdout, stderr };
}
