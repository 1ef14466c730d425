const { ProgramBuilder } = require('@epl/program');
const { predict } = require('/work/wt/model/packages/model/dist');
function bench(label, build, n = 20000) {
  const p = build(new ProgramBuilder()).build();
  for (let k = 0; k < 2000; k++) predict(p, 'tcp', { explain: false });
  const c = process.cpuUsage();
  for (let k = 0; k < n; k++) predict(p, 'tcp', { explain: false });
  const u = process.cpuUsage(c);
  const ns = ((u.user + u.system) * 1000) / n;
  const ops = p.code.length / 6;
  console.log(label.padEnd(28), (ns / 1000).toFixed(2), 'us/program', (ns / ops).toFixed(0), 'ns/op');
}
bench('empty epoll x1', (b) => b.op('epoll', ['e']));
bench('pipe + 28 writes', (b) => {
  b.op('pipe', ['r', 'w']);
  for (let i = 0; i < 28; i++) b.op('write', ['w', 'a']);
  return b;
});
bench('pipe + 14 w/r', (b) => {
  b.op('pipe', ['r', 'w']);
  for (let i = 0; i < 14; i++) {
    b.op('write', ['w', 'a']);
    b.op('read', ['r', 1]);
  }
  return b;
});
bench('tcp pair', (b) => b.op('tcp', ['a', 'b']));
bench('tcp + 14 w/r', (b) => {
  b.op('tcp', ['a', 'b']);
  for (let i = 0; i < 14; i++) {
    b.op('write', ['a', 'x']);
    b.op('read', ['b', 1]);
  }
  return b;
});
bench('unix + 14 w/r', (b) => {
  b.op('unix', ['a', 'b']);
  for (let i = 0; i < 14; i++) {
    b.op('write', ['a', 'x']);
    b.op('read', ['b', 1]);
  }
  return b;
});
bench('epoll+pair+add+14 wait', (b) => {
  b.op('epoll', ['e']);
  b.op('unix', ['a', 'b']);
  b.op('add', ['e', 'a', 5, 'a']);
  b.op('add', ['e', 'b', 5, 'b']);
  for (let i = 0; i < 14; i++) b.op('wait', ['e', 64, 0]);
  return b;
});
