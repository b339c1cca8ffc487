// Runs INSIDE the demo's watcher container (`docker exec -i <watcher> node - <command> < this file`),
// so the Docker-only demo needs no Node on the host. Reads the watcher's own /status.
//   now                         print the container clock in epoch ms
//   wait <phase> <seconds>      wait for the phase; for "promoted" print the promotion as JSON,
//                               for "watching" after a demotion print the demotion
//   summary <killedAt> <restartedAt> <promotion JSON> <demotion JSON>
'use strict';
const [command, ...args] = process.argv.slice(2);

async function status() {
  const res = await fetch('http://127.0.0.1:' + (process.env.STATUS_PORT || 8080) + '/status', { signal: AbortSignal.timeout(3000) });
  return res.json();
}

async function wait(phase, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const s = await status();
      last = s.phase;
      const t = s.lastTransition;
      if (phase === 'promoted' && s.phase === 'promoted' && t && t.kind === 'promotion') return t;
      if (phase === 'demoted' && s.phase === 'watching' && t && t.kind === 'demotion' && t.finishedAt) return t;
      if (phase === 'watching' && s.phase === 'watching') return t;
    } catch (error) {
      last = String(error && error.message);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('gave up waiting for phase ' + phase + ' after ' + seconds + ' s (last seen: ' + last + ')');
}

function summary(killedAt, restartedAt, promotion, demotion) {
  const s = (ms) => (ms === undefined || ms === null ? 'n/a' : (ms / 1000).toFixed(1) + ' s');
  const t = promotion.timings || {};
  const d = demotion.timings || {};
  const readyIn = Date.parse(promotion.readyAt || promotion.finishedAt) - killedAt;
  const demotedIn = Date.parse(demotion.finishedAt) - restartedAt;
  console.log('  primary killed → promotion decided   ' + s(t.detectionMs) + '   (seed: ~30 s)');
  console.log('  decision → docker start returned      ' + s((t.syncMs || 0) + (t.startMs || 0)));
  console.log('  start → standby /readyz ready         ' + s(t.readyMs));
  console.log('  primary killed → standby ready        ' + s(readyIn) + ' (seed: ~60 s)');
  console.log('  primary started → standby stopped     ' + s(demotedIn) + " (includes the primary's own boot; " +
    'recovery→decision ' + s(d.detectionMs) + ', stop ' + s(d.stopMs) + ')');
}

(async () => {
  if (command === 'now') console.log(Date.now());
  else if (command === 'wait') console.log(JSON.stringify(await wait(args[0], Number(args[1]))));
  else if (command === 'summary') summary(Number(args[0]), Number(args[1]), JSON.parse(args[2]), JSON.parse(args[3]));
  else throw new Error('unknown command ' + command);
})().catch((error) => {
  console.error('demo: ' + (error && error.message));
  process.exit(1);
});
