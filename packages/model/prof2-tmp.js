const { generateMany } = require('@epl/fuzz');
const { predict } = require('/work/wt/model/packages/model/dist');
const seqs = generateMany('prof', 3000);
for (let k = 0; k < 6; k++) for (const s of seqs) predict(s, 'tcp', { explain: false });
