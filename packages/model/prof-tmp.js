const { generateMany } = require('@epl/fuzz');
const { predict } = require('/work/wt/model/packages/model/dist');
const seqs = generateMany('prof', 3000);
for (const explain of [true, false])
  for (const fam of ['tcp', 'unix']) {
    for (let k = 0; k < 2; k++) {
      const t = process.hrtime.bigint();
      for (const s of seqs) predict(s, fam, { explain });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (k) console.log(explain ? 'explain' : 'lean', fam, ms.toFixed(0), 'ms', ((seqs.length / ms) * 1000).toFixed(0), '/s');
    }
  }
