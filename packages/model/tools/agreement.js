#!/usr/bin/env node
// Model against kernel: runs Programs on the real kernel (isolated workers of @epl/pool's
// Pool), predicts them with @epl/model, compares, and prints the agreement figures and the
// classes of disagreement (each with its smallest example as .epl).
//
//   node packages/model/tools/agreement.js FILES|DIRS… [--family tcp,tcp6,unix] [--verbose]
//   node packages/model/tools/agreement.js --fuzz [--seed S] [--count N | --time SEC] [--length L] [--family …] [--workers N] [--json]
//
// --minimize shrinks each class's example (@epl/fuzz's shrink, keeping a candidate while the
// same class shows on the kernel in one of 3 runs) and says how often the result shows it in 20.
// --examples DIR writes each class's example to DIR/NNN-family.epl.
//
// Needs a build (npm install at the root). Exit status 0 whatever it found, 2 on usage errors.
// @epl/fuzz (the generator, the shrinker) is reached through the workspace, not declared as a
// dependency: it depends on this package (the model is its oracle), and nx refuses a cycle.
'use strict';
const { predict, compare } = require('../dist');
const { FAMILIES, OP_WORDS, opSpec } = require('@epl/program');

function usage(msg) {
  process.stderr.write(`agreement: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    examples: '',
    files: [],
    families: [...FAMILIES],
    fuzz: false,
    seed: 'agreement',
    count: 2000,
    time: 0,
    length: 30,
    workers: 1,
    verbose: false,
    json: false,
    minimize: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--fuzz') o.fuzz = true;
    else if (a === '--seed') o.seed = next();
    else if (a === '--count') o.count = Number(next());
    else if (a === '--time') o.time = Number(next());
    else if (a === '--length') o.length = Number(next());
    else if (a === '--workers') o.workers = Number(next());
    else if (a === '--family') o.families = next().split(',');
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--json') o.json = true;
    else if (a === '--minimize') o.minimize = true;
    else if (a === '--examples') o.examples = next();
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.files.push(a);
  }
  for (const f of o.families) if (!FAMILIES.includes(f)) usage(`unknown family ${f}`);
  if (!o.fuzz && !o.files.length) usage('give .epl files or folders, or --fuzz');
  return o;
}

/** The figures of a set of comparisons. */
class Tally {
  constructor() {
    this.steps = 0;
    this.resultReady = 0;
    this.wireSteps = 0;
    this.wireAgree = 0;
    this.timing = 0;
    this.timingSteps = 0;
    this.landed = 0;
    this.ranged = 0;
    this.classes = new Map();
  }

  add(program, family, cmp, pred, result) {
    cmp.steps.forEach((c, i) => {
      this.steps++;
      if (c.agree.result && c.agree.ready !== false) this.resultReady++;
      if (c.agree.wire !== null) {
        this.wireSteps++;
        if (c.agree.wire) this.wireAgree++;
      }
      if (c.timing) {
        this.timing += c.timing;
        this.timingSteps++;
      }
      if (c.ranged) this.ranged++;
      if (c.acksLanded) this.landed++;
      for (const field of ['result', 'ready', 'wire']) {
        if (c.agree[field] !== false) continue;
        const key = classKey(program, i, field, result.steps[i], pred.steps[i]);
        let cl = this.classes.get(key);
        if (!cl) this.classes.set(key, (cl = { key, count: 0, example: null }));
        cl.count++;
        const len = program.code.length / OP_WORDS;
        if (!cl.example || len < cl.example.len) cl.example = { len, program, family, step: i, text: c.differences.join('; ') };
      }
    });
  }

  report(out) {
    const pct = (a, b) => (b ? ((100 * a) / b).toFixed(3) + '%' : 'n/a');
    out(`steps: ${this.steps}`);
    out(`result+ready agree: ${this.resultReady} (${pct(this.resultReady, this.steps)})`);
    out(`wire agree: ${this.wireAgree} of ${this.wireSteps} captured steps (${pct(this.wireAgree, this.wireSteps)})`);
    out(`timing-dependent segments (delayed ACKs that landed): ${this.timing} in ${this.timingSteps} steps`);
    out(`waits answered as if delayed ACKs landed first: ${this.landed}`);
    out(`results given as a range: ${this.ranged}`);
    const classes = [...this.classes.values()].sort((a, b) => b.count - a.count);
    out(`disagreement classes: ${classes.length}`);
    return classes;
  }
}

/** predict(), with a model failure counted as a class of its own (its example kept). */
function safePredict(program, family, tally) {
  try {
    return predict(program, family);
  } catch (e) {
    const key = `model error: ${e.message}`;
    let cl = tally.classes.get(key);
    if (!cl) tally.classes.set(key, (cl = { key, count: 0, example: null }));
    cl.count++;
    const len = program.code.length / OP_WORDS;
    if (!cl.example || len < cl.example.len) cl.example = { len, program, family, step: -1, text: String(e.stack).split('\n').slice(0, 4).join(' | ') };
    return null;
  }
}

function opName(program, i) {
  const spec = opSpec(program.code[i * OP_WORDS]);
  return spec ? spec.name : '?';
}

function classKey(program, i, field, k, m) {
  const op = opName(program, i);
  if (field === 'result') {
    const kv = k.errno ? `errno ${k.errno}` : k.ret === 0 ? '0' : k.ret === 1 ? '1' : 'n';
    const mv = m.result.errno ? `errno ${m.result.errno}` : m.result.range ? 'range' : m.result.ret === 0 ? '0' : m.result.ret === 1 ? '1' : 'n';
    return `${op} result: kernel ${kv}, model ${mv}`;
  }
  if (field === 'ready') return `${op} ready`;
  return `${op} wire`;
}

/** Every Program's run as objects, in input order (a lost one as a result with no steps and its reason). */
async function runAll(pool, programs, family) {
  const out = new Array(programs.length);
  for await (const r of pool.run(programs.map((program) => ({ program, family })))) {
    out[r.id] = r.view ? r.view.toResult() : { steps: [], kernel: '', family, netns: false, wire: { captured: false, reason: 'lost' }, error: r.lost };
  }
  return out;
}

async function runFiles(o) {
  const { compileFile } = require('@epl/compiler');
  const { expandPaths } = require('@epl/runner');
  const { Pool } = require('@epl/pool');
  const programs = [];
  const { files, errors } = expandPaths(o.files);
  for (const m of errors) process.stderr.write(`agreement: ${m.path}: ${m.message}\n`);
  for (const file of files) {
    try {
      for (const p of compileFile(file)) programs.push(p);
    } catch (e) {
      process.stderr.write(`${e.message}\n`);
    }
  }
  const pool = new Pool({ workers: o.workers });
  const tally = new Tally();
  try {
    await pool.isolation();
    for (const family of o.families) {
      const results = await runAll(pool, programs, family);
      programs.forEach((p, k) => {
        const pred = safePredict(p, family, tally);
        if (!pred) return;
        const cmp = compare(p, results[k], pred);
        tally.add(p, family, cmp, pred, results[k]);
        if (o.verbose) {
          cmp.steps.forEach((c, i) => {
            if (c.differences.length)
              process.stdout.write(`${p.file}: "${p.title}" [${family}] step ${i + 1} (line ${p.steps[i].span.line}): ${c.differences.join('; ')}\n`);
          });
        }
      });
    }
    await finish(tally, o, pool);
  } finally {
    await pool.close();
  }
}

async function runFuzz(o) {
  const { Generator, Rng } = require('@epl/fuzz');
  const { Pool } = require('@epl/pool');
  const gen = new Generator(new Rng(o.seed), { length: o.length });
  const pool = new Pool({ workers: o.workers });
  const tally = new Tally();
  const start = Date.now();
  let sequences = 0;
  let runMs = 0;
  let predictMs = 0;
  try {
    await pool.isolation();
    const batch = 512;
    for (;;) {
      if (o.time ? Date.now() - start > o.time * 1000 : sequences >= o.count) break;
      const n = o.time ? batch : Math.min(batch, o.count - sequences);
      const seqs = [];
      for (let i = 0; i < n; i++) seqs.push(gen.generate());
      sequences += n;
      for (const family of o.families) {
        let t = Date.now();
        const results = await runAll(pool, seqs, family);
        runMs += Date.now() - t;
        t = Date.now();
        const preds = seqs.map((s) => safePredict(s, family, tally));
        predictMs += Date.now() - t;
        seqs.forEach((s, k) => preds[k] && tally.add(s, family, compare(s, results[k], preds[k]), preds[k], results[k]));
      }
    }
    process.stdout.write(
      `sequences: ${sequences} x ${o.families.length} families (${((Date.now() - start) / 1000).toFixed(1)} s; kernel ${runMs} ms, model ${predictMs} ms)\n`,
    );
    await finish(tally, o, pool);
  } finally {
    await pool.close();
  }
}

/** The class keys of a program's disagreements on the kernel, over `runs` runs (a Set per run). */
async function classesOf(pool, programs, family, runs) {
  const copies = [];
  for (let r = 0; r < runs; r++) copies.push(...programs);
  const results = await runAll(pool, copies, family);
  return copies.map((p, k) => {
    const keys = new Set();
    const pred = predict(p, family, { explain: false });
    compare(p, results[k], pred).steps.forEach((c, i) => {
      for (const field of ['result', 'ready', 'wire']) if (c.agree[field] === false) keys.add(classKey(p, i, field, results[k].steps[i], pred.steps[i]));
    });
    return keys;
  });
}

/** Shrinks an example with the fuzzer's shrinker: kept while the class shows in one of 3 runs. Returns the text and its rate in 20 runs. */
async function minimize(pool, key, example) {
  const { shrink, fromProgram, toProgram } = require('@epl/fuzz');
  const { print } = require('@epl/compiler');
  const seq = example.program.steps ? fromProgram(example.program) : example.program;
  const shows = async (seqs, runs) => {
    const keys = await classesOf(pool, seqs, example.family, runs);
    return seqs.map((_, i) => keys.some((ks, k) => k % seqs.length === i && ks.has(key)));
  };
  const { seq: small } = await shrink(seq, { focus: example.step, test: (cands) => shows(cands, 3) });
  const rate = (await classesOf(pool, [small], example.family, 20)).filter((ks) => ks.has(key)).length;
  return { text: print(toProgram(small, 'smallest')).trimEnd(), rate };
}

async function finish(tally, o, pool) {
  const out = (line) => process.stdout.write(line + '\n');
  const classes = tally.report(out);
  const { print } = require('@epl/compiler');
  const { toProgram } = require('@epl/fuzz');
  for (const c of classes) {
    out(`\n[${c.count}] ${c.key}`);
    const ex = c.example;
    out(`  e.g. step ${ex.step + 1} on ${ex.family}: ${ex.text}`);
    let text;
    try {
      text = ex.program.steps ? print(ex.program) : print(toProgram(ex.program, 'example'));
    } catch {
      text = '(cannot print)';
    }
    if (o.examples) {
      const fs = require('node:fs');
      fs.mkdirSync(o.examples, { recursive: true });
      const file = `${o.examples}/${String(classes.indexOf(c)).padStart(3, '0')}-${ex.family}.epl`;
      fs.writeFileSync(file, `# ${c.key} (${c.count})\n# step ${ex.step + 1}: ${ex.text.slice(0, 300)}\n${text}`);
    }
    const lines = text.split('\n');
    const at = ex.step + (lines[0].startsWith('#') ? 1 : 0);
    lines.slice(0, 60).forEach((l, i) => out(`    ${i === at ? '>' : ' '} ${l}`));
    if (o.minimize && text !== '(cannot print)' && ex.step >= 0) {
      const min = await minimize(pool, c.key, ex);
      out(`  smallest found (${min.rate} of 20 runs on ${ex.family} show it):`);
      for (const l of min.text.split('\n')) out(`      ${l}`);
    }
  }
  if (o.json)
    out(
      JSON.stringify({
        steps: tally.steps,
        resultReady: tally.resultReady,
        wireSteps: tally.wireSteps,
        wireAgree: tally.wireAgree,
        timing: tally.timing,
        landed: tally.landed,
      }),
    );
}

const o = parseArgs(process.argv.slice(2));
(o.fuzz ? runFuzz(o) : runFiles(o)).catch((e) => {
  process.stderr.write(`agreement: ${e && e.stack ? e.stack : String(e)}\n`);
  process.exit(1);
});
