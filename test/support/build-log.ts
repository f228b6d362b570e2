/** What a person reads in the stderr of a bake run with `--progress=rawjson`: every line but buildx's JSON progress. */
export const humanLines = (stderr: string): string[] => stderr.split('\n').filter((l) => !l.startsWith('{'));

/** Its last lines: what a failed assertion shows. */
export const logTail = (stderr: string, lines = 20): string => humanLines(stderr).slice(-lines).join('\n');
