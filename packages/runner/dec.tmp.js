const { Worker } = require('worker_threads');
const { check } = require('./dist');
const { decode } = require('@epl/executor');
// get raw buffers from a worker
const w = new Worker(`
const { parentPort } = require('worker_threads');
const ex = require('@epl/executor'); ex.isolate();
parentPort.on('message', (progs) => { const out = progs.map(p => ex.runRaw(p)); parentPort.postMessage(out); });
`, { eval: true });
const src = require('fs').readFileSync('perf.tmp.js', 'utf8');
