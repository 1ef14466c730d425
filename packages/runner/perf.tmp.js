const { Pool, check } = require('./dist');
const { ProgramBuilder, EPOLL_FLAGS: E } = require('@epl/program');
const ALL = E.IN|E.OUT|E.ERR|E.HUP|E.RDHUP;
function setup(b) { b.op('tcp',['5','6']).op('epoll',['3']).op('add',['3','5',ALL,'5']).op('add',['3','6',ALL,'6']).op('wait',['3',64,0]); return b; }
const w = (b) => b.op('wait',['3',64,0]);
const progs = [];
let b = setup(new ProgramBuilder()); b.op('shutdown',['5',0]); w(b); b.op('read',['5',1]); w(b); b.op('write',['6','a']); w(b); b.op('read',['5',1]); w(b); b.op('close',['5']); w(b); progs.push(b.build());
b = setup(new ProgramBuilder()); b.op('shutdown',['5',1]); w(b); b.op('write',['5','a']); w(b); b.op('read',['6',1]); w(b); b.op('write',['6','a']); w(b); b.op('read',['5',1]); w(b); b.op('close',['5']); w(b); b.op('write',['6','a']); w(b); progs.push(b.build());
b = setup(new ProgramBuilder()); b.op('dup',['5','7']).op('add',['3','7',ALL,'7']); w(b); b.op('write',['6','a']); w(b); b.op('read',['5',1]); w(b); b.op('close',['5']); w(b); b.op('del',['3','5']); w(b); b.op('close',['7']); w(b); progs.push(b.build());
b = setup(new ProgramBuilder()); b.op('dup',['5','7']).op('add',['3','7',ALL,'7']).op('shutdown',['7',0]); w(b); progs.push(b.build());
b = setup(new ProgramBuilder()); b.op('dup',['5','7']).op('add',['3','7',ALL,'7']).op('shutdown',['7',1]); w(b); progs.push(b.build());
const N = +process.argv[2] || 20000, W = +process.argv[3] || 1, BS = process.argv[4] ? +process.argv[4] : undefined;
(async () => {
  const pool = new Pool({ workers: W });
  const all = []; for (let i = 0; i < N; i++) all.push(progs[i % 5]);
  await pool.runAll(all.slice(0, 500));
  const t = process.hrtime.bigint();
  let fails = 0, errs = 0;
  for await (const { id, result } of pool.run(all, { batchSize: BS })) { if (result.error) errs++; if (!check(all[id], result).pass) fails++; }
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`w${W} bs${BS}: ${Math.round(N / s)} scenarios/s errs=${errs} fails=${fails}`);
  await pool.close();
})();
