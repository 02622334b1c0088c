// Ace by DAISY on the EPUB and axe-core on the web edition, in one Node process and one browser.
//
// Run separately (`ace-puppeteer`, then a second browser for axe) the two checkers cost about 6 s of
// CPU, most of it two Chromium start-ups and a fresh page load per axe view. Here Ace's own
// puppeteer runner launches the browser once, Ace checks the EPUB through it, and axe then checks
// the web edition in the same browser: one page load, re-measured at each width and colour scheme.
//
// usage: node accessibility.js TOOLS_DIR REPORT_JSON [--epub FILE] [--html FILE --axe AXE_MIN_JS] [--tmpdir DIR]
// Writes {"ace": <Ace's EARL report> | null, "axe": [{"view", "violations"}]} to REPORT_JSON.
// Ace prints its own report on stdout; the caller ignores stdout and reads REPORT_JSON.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [toolsDir, reportPath, ...rest] = process.argv.slice(2);
const options = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i].replace(/^--/, '')] = rest[i + 1];

const need = createRequire(path.join(path.resolve(toolsDir), 'package.json'));
const winston = need('winston');
// Ace logs through winston's default logger; without a transport winston complains on stderr.
winston.configure({ transports: [new winston.transports.Console({ silent: true })] });
const puppeteer = need('puppeteer');
const ace = need('@daisy/ace-core');
const aceRunner = need('@daisy/ace-axe-runner-puppeteer');

// The views of the web edition: both colour schemes (dark mode has its own contrast to get right)
// and a phone's width, where tables scroll and lines wrap differently.
const VIEWS = [
  { view: 'light colour scheme', width: 1280, dark: false },
  { view: 'dark colour scheme', width: 1280, dark: true },
  { view: '360 px wide', width: 360, dark: false },
];
// Extra browser arguments from the caller (pubpipe.runtime.tools.headless_chromium), added to those Ace's
// runner passes.
const BROWSER_ARGS = (process.env.PUBPIPE_CHROMIUM_ARGS || '').split(' ').filter(Boolean);

let browser;
const launch = puppeteer.launch.bind(puppeteer);
puppeteer.launch = async (launchOptions = {}) => {
  browser = browser || await launch({ ...launchOptions, args: [...(launchOptions.args || []), ...BROWSER_ARGS] });
  return browser;
};
// Ace launches and closes its browser around its own run; this runner keeps it open for axe.
let launched;
const sharedRunner = {
  concurrency: aceRunner.concurrency,
  setTimeout: aceRunner.setTimeout,
  run: aceRunner.run,
  launch: () => (launched = launched || aceRunner.launch()),
  close: async () => {},
};

async function checkWebEdition(htmlPath) {
  await sharedRunner.launch();
  const axeSource = fs.readFileSync(options.axe, 'utf8') + '\n;true';
  const page = await browser.newPage();
  // Only the page itself is loaded: anything it asks of the network is refused.
  await page.setRequestInterception(true);
  page.on('request', (request) => (/^(file|data):/.test(request.url()) ? request.continue() : request.abort()));
  await page.goto('file://' + path.resolve(htmlPath), { waitUntil: 'load' });
  const results = [];
  for (const { view, width, dark } of VIEWS) {
    // A change of `isMobile` reloads the page, which drops axe: it is injected again when missing.
    await page.setViewport({ width, height: 900, isMobile: width < 600 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: dark ? 'dark' : 'light' }]);
    if (await page.evaluate(() => typeof axe === 'undefined')) await page.evaluate(axeSource);
    const violations = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations));
    results.push({ view, violations });
  }
  await page.close();
  return results;
}

// What is running, for the error message: the checker and the file it was reading.
let stage = {};

async function main() {
  const report = { ace: null, axe: [] };
  try {
    if (options.epub) {
      stage = { checker: 'Ace', file: options.epub };
      const job = await ace(path.resolve(options.epub), { cwd: process.cwd(), tmpdir: options.tmpdir, silent: true, jobId: '' }, sharedRunner);
      report.ace = job[1];
    }
    if (options.html) {
      stage = { checker: 'axe', file: options.html };
      report.axe = await checkWebEdition(options.html);
    }
  } finally {
    if (browser) await browser.close();
  }
  fs.writeFileSync(reportPath, JSON.stringify(report));
}

// The first line of stderr is the error in one line (the caller shows it); the stack follows.
main().then(() => process.exit(0), (error) => {
  const message = String((error && error.message) || error).split('\n')[0];
  process.stderr.write(`pubpipe-a11y\t${stage.checker || 'setup'}\t${stage.file || ''}\t${message}\n`);
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
