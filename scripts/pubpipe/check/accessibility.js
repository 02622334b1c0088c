// Ace by DAISY on EPUBs and axe-core on web editions, in one Node process and one browser.
//
// Run separately (`ace-puppeteer`, then a second browser for axe) the two checkers cost about 6 s of
// CPU per article, most of it Chromium start-ups and a fresh page load per axe view. Here Ace's own
// puppeteer runner launches the browser once, Ace checks every EPUB through it, and axe then checks
// every web edition in the same browser: one page load each, re-measured at each width and colour
// scheme. `pubpipe check` gives it the editions of all the articles it checks.
//
// usage: node accessibility.js TOOLS_DIR JOB_JSON REPORT_JSON
// JOB_JSON: {"epubs": [FILE...], "htmls": [FILE...], "axe": AXE_MIN_JS, "tmpdir": DIR}
// Writes {"ace": {FILE: <Ace's EARL report> | {"error": MESSAGE}},
//         "axe": {FILE: [{"view", "violations"}] | {"error": MESSAGE}}} to REPORT_JSON: a file one
// checker could not read is named with its error, and the others are still checked.
// Ace prints its own report on stdout; the caller ignores stdout and reads REPORT_JSON.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');
const { pathToFileURL } = require('url');

const [toolsDir, jobPath, reportPath] = process.argv.slice(2);
const options = JSON.parse(fs.readFileSync(jobPath, 'utf8'));

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
// Only the page itself and the checkers' scripts are loaded: anything it asks of the network is refused.
const localOnly = (request) => /^(file|data):/.test(request.url());

// Ace's runner contract (ace(epub, options, runner): launch, run(url, scripts, scriptContents), close),
// kept by Ace's own puppeteer runner but for two things. Its browser stays open for axe: Ace
// closes its runner after each EPUB. And Ace's scripts (axe, 1.3 MB unminified, and two of Ace's
// own) are loaded as <script src> from their files rather than pasted into each content document as
// text: pasted, V8 parsed and compiled all of axe anew in every document, about 0.25 s of CPU each,
// four documents an EPUB. From one URL, V8's compilation cache (one renderer, one isolate) gives
// every later document the code compiled for the first, including the rule functions axe has run.
// The rest is as Ace's runner does it: each content document in a page of its own, a `.html` one
// served as XHTML, the injected scripts marked `data-ace` so that Ace's inventory of the
// document's own scripts passes over them.
let launched;
const sharedRunner = {
  concurrency: aceRunner.concurrency,
  setTimeout: aceRunner.setTimeout,
  launch: () => (launched = launched || aceRunner.launch()),
  close: async () => {},
  run: async (url, scripts, scriptContents) => {
    await sharedRunner.launch();
    const page = await browser.newPage();
    try {
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (!localOnly(request)) return request.abort();
        if (request.resourceType() !== 'document' || !/\.html?$/.test(request.url())) return request.continue();
        return fs.readFile(new URL(request.url()), 'utf8', (error, body) => (error ? request.continue()
          : request.respond({ status: 200, contentType: 'application/xhtml+xml', body })));
      });
      await page.goto(url);
      const injected = [...scriptContents.map((content) => ({ content })), ...scripts.map((file) => ({ url: pathToFileURL(file).href }))];
      for (const script of injected) {
        const element = await page.addScriptTag(script);
        await element.evaluate((node) => node.setAttribute('data-ace', ''));
      }
      return await page.evaluate(() => new Promise((resolve, reject) => window.daisy.ace.run((error, result) => (error ? reject(error) : resolve(result)))));
    } finally {
      await page.close();
    }
  },
};

async function checkWebEdition(htmlPath, axeSource) {
  await sharedRunner.launch();
  const page = await browser.newPage();
  try {
    await page.setRequestInterception(true);
    page.on('request', (request) => (localOnly(request) ? request.continue() : request.abort()));
    await page.goto('file://' + path.resolve(htmlPath), { waitUntil: 'load' });
    const results = [];
    // Each view through DevTools' own device metrics, which lay the page out again where it is.
    // puppeteer's setViewport reloads the page whenever `isMobile` changes: a second load, axe
    // injected again and a cold axe run, about a fifth of axe's CPU per page.
    const devtools = await page.createCDPSession();
    for (const { view, width, dark } of VIEWS) {
      await devtools.send('Emulation.setDeviceMetricsOverride', { width, height: 900, deviceScaleFactor: 1, mobile: width < 600 });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: dark ? 'dark' : 'light' }]);
      if (await page.evaluate(() => typeof axe === 'undefined')) await page.evaluate(axeSource);
      const violations = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations));
      results.push({ view, violations });
    }
    return results;
  } finally {
    await page.close();
  }
}

// One line for the caller to show: the error's first line, without the stack.
const oneLine = (error) => String((error && error.message) || error).split('\n')[0];

async function main() {
  const report = { ace: {}, axe: {} };
  try {
    for (const [index, epub] of (options.epubs || []).entries()) {
      try {
        const tmpdir = path.join(options.tmpdir, `ace-${index}`);
        const job = await ace(path.resolve(epub), { cwd: process.cwd(), tmpdir, silent: true, jobId: '' }, sharedRunner);
        report.ace[epub] = job[1];
      } catch (error) {
        report.ace[epub] = { error: oneLine(error) };
      }
    }
    const axeSource = (options.htmls || []).length ? fs.readFileSync(options.axe, 'utf8') + '\n;true' : '';
    for (const html of options.htmls || []) {
      try {
        report.axe[html] = await checkWebEdition(html, axeSource);
      } catch (error) {
        report.axe[html] = { error: oneLine(error) };
      }
    }
  } finally {
    if (browser) await browser.close();
  }
  fs.writeFileSync(reportPath, JSON.stringify(report));
}

// A failure outside any one file (no browser, a missing package): its first line on stderr, then the stack.
main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${oneLine(error)}\n${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
