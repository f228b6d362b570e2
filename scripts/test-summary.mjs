// The end of CI's log: each failed test with the start of its message, then `N passed, N failed`.
// CI logs are often read from their tail alone; vitest prints a failure's message far above it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const plain = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
for (const file of report.testResults ?? [])
  for (const t of file.assertionResults ?? [])
    if (t.status === 'failed') {
      console.log(`FAILED ${relative(process.cwd(), file.name)} > ${t.fullName}`);
      const message = plain((t.failureMessages ?? []).join('\n'))
        .split('\n')
        .filter((l) => !/^\s+at /.test(l))
        .slice(0, 12)
        .join('\n');
      console.log(message.length > 1500 ? `${message.slice(0, 1500)}...` : message);
    }
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed`);
