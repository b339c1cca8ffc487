// `npm run demo|bench|start`: a tiny plain-JS launcher, so an older Node says in one line what to
// do instead of failing on the TypeScript files with ERR_UNKNOWN_FILE_EXTENSION and a stack trace.
// Usage: node scripts/node-launcher.mjs <file.ts> [args...]   (or --check: only the version test)
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `openclaw-failover needs Node 24 or newer; this is Node ${process.versions.node}. ` +
      'Run the demo with Docker only: sh scripts/demo.sh --fake (or without --fake); ' +
      'or put Node 24 first on PATH: eval "$(scripts/node24.sh)", then npm ci.',
  );
  process.exit(1);
}
const [target, ...rest] = process.argv.slice(2);
if (target !== '--check') {
  if (!target) {
    console.error('usage: node scripts/node-launcher.mjs <file.ts> [args...]');
    process.exit(2);
  }
  process.argv = [process.argv[0], target, ...rest];
  await import(new URL(`../${target}`, import.meta.url).href);
}
