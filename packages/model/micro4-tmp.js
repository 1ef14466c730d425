const { ProgramBuilder } = require('@epl/program');
const { predict } = require('./dist');
function bench(label, build, n = 100000) {
  const p = build(new ProgramBuilder()).build();
  for (let k = 0; k < 20000; k++) predict(p, 'tcp', { explain: false });
  const c = process.cpuUsage();
  for (let k = 0; k < n; k++) predict(p, 'tcp', { explain: false });
  const u = process.cpuUsage(c);
  const ns = ((u.user + u.system) * 1000) / n;
  console.log(label.padEnd(28), (ns / 1000).toFixed(2), 'us/program', (ns / (p.code.length / 6)).toFixed(0), 'ns/op');
}
bench('30 sleeps', (b) => {
  for (let i = 0; i < 30; i++) b.op('sleep', [0]);
  return b;
});
bench('30 stale closes', (b) => {
  b.op('pipe', ['r', 'w']).op('close', ['r']);
  for (let i = 0; i < 28; i++) b.op('close', ['r']);
  return b;
});
bench('pipe + 28 reads EAGAIN', (b) => {
  b.op('pipe', ['r', 'w']);
  for (let i = 0; i < 28; i++) b.op('read', ['r', 1]);
  return b;
});
bench('tcp pair only', (b) => b.op('tcp', ['a', 'b']));
bench('unix pair only', (b) => b.op('unix', ['a', 'b']));
bench('tcp + 28 writes EPIPE', (b) => {
  b.op('tcp', ['a', 'b']).op('shutdown', ['a', 1]);
  for (let i = 0; i < 28; i++) b.op('write', ['a', 'x']);
  return b;
});
bench('tcp + 28 read EAGAIN', (b) => {
  b.op('tcp', ['a', 'b']);
  for (let i = 0; i < 29; i++) b.op('read', ['a', 1]);
  return b;
});
bench('tcp + 14 (write, read)', (b) => {
  b.op('tcp', ['a', 'b']);
  for (let i = 0; i < 14; i++) b.op('write', ['a', 'x']).op('read', ['b', 1]);
  return b;
});
bench('epoll 4 items + 26 waits', (b) => {
  b.op('epoll', ['e']).op('pipe', ['r', 'w']).op('pipe', ['r2', 'w2']).op('add', ['e', 'w', 4, 'w']).op('add', ['e', 'w2', 4, 'w2']);
  for (let i = 0; i < 25; i++) b.op('wait', ['e', 64, 0]);
  return b;
});
