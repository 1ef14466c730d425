const t0 = Date.now();
const { Pool } = require('./dist');
const t1 = Date.now();
const { ProgramBuilder } = require('@epl/program');
(async () => {
  const pool = new Pool({ workers: 1 });
  pool.piscina.on('workerCreate', () => console.log('workerCreate', Date.now() - t1));
  const iso = await pool.isolation();
  const t2 = Date.now();
  const p = new ProgramBuilder().op('tcp', ['5','6']).op('close',['5']).build();
  const r = await pool.runAll([p]);
  const t3 = Date.now();
  const r2 = await pool.runAll([p,p,p,p,p]);
  const t4 = Date.now();
  await pool.close();
  console.log(`require ${t1-t0} probe ${t2-t1} run1 ${t3-t2} run5 ${t4-t3} close ${Date.now()-t4}`);
})();
