const { Worker } = require('worker_threads');
const t0 = Date.now();
const w = new Worker(`
const { parentPort } = require('worker_threads');
const a = Date.now();
const ex = require('@epl/executor');
const b = Date.now();
const r = ex.isolate();
const c = Date.now();
const { ProgramBuilder } = require('@epl/program');
const p = new ProgramBuilder().op('tcp', ['5','6']).op('close',['5']).build();
ex.runRaw(p);
const d = Date.now();
ex.runRaw(p);
const e = Date.now();
parentPort.postMessage({ load: b-a, isolate: c-b, run1: d-c, run2: e-d, r });
`, { eval: true });
w.on('online', () => console.log('online', Date.now() - t0));
w.on('message', (m) => { console.log(Date.now() - t0, m); w.terminate(); });
