const { generateMany } = require('@epl/fuzz');
const { predict } = require('/work/wt/model/packages/model/dist');
const { Lane } = require('@epl/runner');
(async () => {
  const seqs = generateMany('bench', 3000);
  const lane = new Lane();
  for (const fam of ['tcp', 'unix']) {
    for (let k = 0; k < 2; k++) {
      let c = process.cpuUsage();
      let t = process.hrtime.bigint();
      for await (const r of lane.run(seqs, { family: fam })) void r;
      let cpu = process.cpuUsage(c);
      let wall = Number(process.hrtime.bigint() - t) / 1e6;
      const kcpu = seqs.length / ((cpu.user + cpu.system) / 1e6),
        kwall = (seqs.length / wall) * 1000;
      for (const explain of [false, true]) {
        c = process.cpuUsage();
        t = process.hrtime.bigint();
        for (const s of seqs) predict(s, fam, { explain });
        cpu = process.cpuUsage(c);
        wall = Number(process.hrtime.bigint() - t) / 1e6;
        const mcpu = seqs.length / ((cpu.user + cpu.system) / 1e6),
          mwall = (seqs.length / wall) * 1000;
        if (k)
          console.log(
            fam,
            explain ? 'explain' : 'lean   ',
            'kernel',
            kcpu.toFixed(0),
            '/cpu-s',
            kwall.toFixed(0),
            '/s | model',
            mcpu.toFixed(0),
            '/cpu-s',
            mwall.toFixed(0),
            '/s | ratio cpu',
            (mcpu / kcpu).toFixed(2),
            'wall',
            (mwall / kwall).toFixed(2),
          );
      }
    }
  }
  await lane.close();
})();
