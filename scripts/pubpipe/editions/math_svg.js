// TeX to SVG with MathJax, for the PDF: one Node process typesets every formula of a build.
//
// usage: node math_svg.js TOOLS_DIR < formulas.json > svgs.json
// Input: [{"tex": "...", "display": true|false}, ...]. Output, in the same order:
// [{"svg": "<svg ...>"} | {"error": "MathJax's message"}, ...].
//
// Only TeX packages that draw are loaded: no `html` (\href, \class, \style), `require` or
// `autoload` (which load more code at the author's request), `unicode` (fonts by name),
// `noerrors` or `noundefined` (which would print a rejected formula in red instead of stopping
// the build), `action` (interactive). Errors are thrown, never typeset.
'use strict';

const path = require('path');
const { createRequire } = require('module');

const PACKAGES = [
  'base', 'ams', 'newcommand', 'boldsymbol', 'braket', 'cancel', 'cases', 'centernot', 'color',
  'gensymb', 'mathtools', 'textcomp', 'textmacros', 'upgreek',
];
// The line width a multline or a tagged formula spreads to, in MathJax's pixels (16 per em): about
// the print edition's measure.
const CONTAINER_WIDTH = 30 * 16;

async function main() {
  const toolsDir = path.resolve(process.argv[2]);
  const need = createRequire(path.join(toolsDir, 'package.json'));
  const MathJax = need('@mathjax/src');
  await MathJax.init({
    loader: {
      load: ['input/tex-base', ...PACKAGES.filter((name) => name !== 'base').map((name) => `[tex]/${name}`),
             'output/svg', 'adaptors/liteDOM'],
    },
    tex: {
      packages: PACKAGES,
      tags: 'none', // numbers are the pipeline's own "(1)", beside the formula in every edition
      formatError: (_jax, error) => { throw error; },
    },
    svg: { fontCache: 'none' }, // each SVG stands alone: no <use> of glyphs defined elsewhere
    startup: { typeset: false },
  });
  const adaptor = MathJax.startup.adaptor;

  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const formulas = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = [];
  for (const formula of formulas) {
    try {
      const container = await MathJax.tex2svgPromise(formula.tex, {
        display: Boolean(formula.display), containerWidth: CONTAINER_WIDTH,
      });
      results.push({ svg: adaptor.serializeXML(adaptor.firstChild(container)) });
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`math_svg.js: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
