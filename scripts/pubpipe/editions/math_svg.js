// TeX to SVG with MathJax, for the PDF: one Node process typesets every formula of a build.
//
// usage: node math_svg.js TOOLS_DIR [THREADS] < formulas.json > svgs.json
// Input: [{"tex": "...", "display": true|false}, ...]. Output, in the same order:
// [{"svg": "<svg ...>"} | {"error": "MathJax's message"}, ...].
// With THREADS > 1 the formulas are shared out, in turn, between this thread and THREADS - 1
// worker threads, each with its own MathJax: a long article's formulas are typeset on every core
// the build may use (MathJax takes a few milliseconds a formula, and starts in about 0.2 s).
//
// Only TeX packages that draw are loaded: no `html` (\href, \class, \style), `require` or
// `autoload` (which load more code at the author's request), `unicode` (fonts by name),
// `noerrors` or `noundefined` (which would print a rejected formula in red instead of stopping
// the build), `action` (interactive). Errors are thrown, never typeset.
'use strict';

const path = require('path');
const { createRequire } = require('module');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const PACKAGES = [
  'base', 'ams', 'configmacros', 'newcommand', 'boldsymbol', 'braket', 'cancel', 'cases', 'centernot',
  'color', 'gensymb', 'mathtools', 'textcomp', 'textmacros', 'upgreek',
];
// Commands that pandoc's TeX reader (texmath) knows and MathJax's packages do not: without these a
// formula would be MathML in the web and EPUB editions and an error in the PDF.
const MACROS = {
  bm: ['\\boldsymbol{#1}', 1],
  mathds: ['\\mathbb{#1}', 1], // MathJax's dsfont needs a font package that the registry lacks
  ensuremath: ['#1', 1],
  llbracket: '\\mathopen{\u27E6}',
  rrbracket: '\\mathclose{\u27E7}',
  euro: '\\text{\u20AC}',
};
// The line width a multline or a tagged formula spreads to, in MathJax's pixels (16 per em): about
// the print edition's measure.
const CONTAINER_WIDTH = 30 * 16;

async function startMathJax(toolsDir) {
  const need = createRequire(path.join(toolsDir, 'package.json'));
  const MathJax = need('@mathjax/src');
  await MathJax.init({
    loader: {
      // Components by CommonJS require, not MathJax's default dynamic import(): Node's import of
      // a CommonJS file first scans all of its source for named exports (0.15 s of CPU for the
      // TeX and SVG bundles, in every thread).
      require: need,
      load: ['input/tex-base', ...PACKAGES.filter((name) => name !== 'base').map((name) => `[tex]/${name}`),
             'output/svg', 'adaptors/liteDOM'],
    },
    tex: {
      packages: PACKAGES,
      macros: MACROS,
      tags: 'none', // numbers are the pipeline's own "(1)", beside the formula in every edition
      formatError: (_jax, error) => { throw error; },
    },
    svg: {
      fontCache: 'none', // each SVG stands alone: no <use> of glyphs defined elsewhere
      // One drawing per formula: with inline breaks (MathJax 4's default) an inline formula comes
      // as one <svg> per piece between its operators and relations, for a browser to wrap.
      linebreaks: { inline: false },
    },
    startup: { typeset: false },
  });
  if (typeof MathJax.tex2svgPromise !== 'function') throw new Error('MathJax did not start (see above)');
  return MathJax;
}

async function typeset(MathJax, formulas) {
  const adaptor = MathJax.startup.adaptor;
  const results = [];
  for (const formula of formulas) {
    try {
      const container = await MathJax.tex2svgPromise(formula.tex, {
        display: Boolean(formula.display), containerWidth: CONTAINER_WIDTH,
      });
      const drawings = adaptor.childNodes(container);
      if (drawings.length !== 1) throw new Error(`MathJax drew ${formula.tex} in ${drawings.length} pieces`);
      // serializeXML: attribute values with < and & escaped, as an XML parser needs them.
      results.push({ svg: adaptor.serializeXML(drawings[0]) });
    } catch (error) {
      // The author's TeX is wrong: reported with its line. Anything else is MathJax failing.
      if (!error || typeof error.id !== 'string') throw error;
      results.push({ error: error.message });
    }
  }
  return results;
}

function inWorker(toolsDir, formulas) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { toolsDir, formulas } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`a MathJax thread stopped with status ${code}`)); });
  });
}

async function main() {
  const toolsDir = path.resolve(process.argv[2]);
  const threads = Math.max(1, parseInt(process.argv[3] || '1', 10) || 1);
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const formulas = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  // Formula i goes to thread i % threads; this thread takes share 0.
  const shares = Array.from({ length: threads }, (_unused, n) => formulas.filter((_f, i) => i % threads === n));
  const others = shares.slice(1).map((share) => inWorker(toolsDir, share));
  const own = await typeset(await startMathJax(toolsDir), shares[0]);
  const done = [own, ...(await Promise.all(others))];
  const results = formulas.map((_f, i) => done[i % threads][Math.floor(i / threads)]);
  process.stdout.write(JSON.stringify(results));
}

function fail(error) {
  process.stderr.write(`math_svg.js: ${(error && (error.stack || error.message)) || JSON.stringify(error)}\n`);
  process.exit(1);
}

if (isMainThread) {
  main().catch(fail);
} else {
  startMathJax(workerData.toolsDir)
    .then((MathJax) => typeset(MathJax, workerData.formulas))
    .then((results) => parentPort.postMessage(results))
    .catch(fail);
}
