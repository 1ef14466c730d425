const t0 = Date.now();
const { Pool } = require('./dist');
const t1 = Date.now();
const { ProgramBuilder } = require('@epl/program');
(async () => {
  const pool = new Pool({ workers: +process.argv[2] || 1 });
  const p = new ProgramBuilder().op('tcp', ['5','6']).op('close',['5']).build();
  const r = await pool.runAll([p,p,p,p,p]);
  const t2 = Date.now();
  await pool.close();
  const t3 = Date.now();
  console.log(`require ${t1-t0} run ${t2-t1} close ${t3-t2}`);
})();
