const { compileFile } = require('@epl/compiler');
const { predict } = require('./dist');
const fam = process.argv[3] || 'tcp';
for (const p of compileFile(process.argv[2])) {
  const pred = predict(p, fam);
  pred.steps.forEach((st, i) => {
    console.log(
      i + 1,
      st.op,
      JSON.stringify(st.result),
      st.ready ? JSON.stringify(st.ready.map((r) => [p.names[r.data], r.events])) : '',
      JSON.stringify(st.wire.map((w) => [p.names[w.src], p.names[w.dst], w.flags ?? 'bulk', w.len ?? w.bytes, w.timing])),
    );
    if (process.env.WHY) for (const r of st.why) console.log('     ', r.rule, r.text);
  });
}
