const t0 = Date.now();
const Piscina = require('piscina');
const t1 = Date.now();
const p = new Piscina({ filename: process.argv[2], minThreads: 1, maxThreads: 1 });
p.run(1).then(async (r) => { const t2 = Date.now(); await p.destroy(); console.log(`require ${t1-t0} first-task ${t2-t1} close ${Date.now()-t2}`); });
