const { Pool } = require('./dist');
const { ProgramBuilder } = require('@epl/program');
(async () => {
  const pool = new Pool({ workers: 2 });
  const p = new ProgramBuilder().op('tcp', ['5','6']).op('close',['5']).build();
  await pool.runAll([p,p,p]);
  console.log('after small run', pool.piscina.threads.length);
  await pool.runAll(Array(400).fill(p));
  console.log('after big run', pool.piscina.threads.length);
  await pool.close();
})();
