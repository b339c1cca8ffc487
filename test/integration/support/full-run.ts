// CI (`npm test`) has 30 minutes on a 2-core machine. Suites and scenarios whose promise another
// test in the CI set already proves end to end (same code path, same real gateway) run only in the
// full run: `npm run test:full` (OCF_FULL=1). docs/testing.md lists which, and why each may wait.
export const FULL_RUN = process.env.OCF_FULL === '1';
