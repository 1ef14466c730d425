const { generateMany } = require('@epl/fuzz');
const { predict } = require('/work/wt/model/packages/model/dist');
const seqs = generateMany('bench-model', 2000);
for (let k = 0; k < 8; k++) for (const s of seqs) predict(s, 'tcp', { explain: false });
