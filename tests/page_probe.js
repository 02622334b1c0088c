// Opens pages in headless Chromium through puppeteer (the driver Ace already brings, launched the
// way scripts/pubpipe/check/accessibility.js launches it) and evaluates expressions in them, so
// the tests can measure a rendered page: its width, its line length, its colours in dark mode.
//
// usage: node page_probe.js TOOLS_DIR JOB_JSON REPORT_JSON
// JOB_JSON: [{"file", "width", "height", "dark": bool, "media": "print" | "", "expressions": {name: js}}]
// REPORT_JSON: the same list, each with "values": {name: value}.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [toolsDir, jobPath, reportPath] = process.argv.slice(2);
const need = createRequire(path.join(path.resolve(toolsDir), 'package.json'));
const puppeteer = need('puppeteer');

async function main() {
  const probes = JSON.parse(fs.readFileSync(jobPath, 'utf8'));
  const browser = await puppeteer.launch({
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', ...(process.env.PUBPIPE_CHROMIUM_ARGS || '').split(' ').filter(Boolean)],
  });
  try {
    const page = await browser.newPage();
    const devtools = await page.createCDPSession();
    for (const probe of probes) {
      await page.setViewport({ width: probe.width, height: probe.height, isMobile: probe.width < 600 });
      // The media type and the colour scheme in one command: each sets the other back otherwise.
      await devtools.send('Emulation.setEmulatedMedia', {
        media: probe.media || '',
        features: [{ name: 'prefers-color-scheme', value: probe.dark ? 'dark' : 'light' }],
      });
      await page.goto('file://' + path.resolve(probe.file), { waitUntil: 'load' });
      probe.values = {};
      for (const [name, expression] of Object.entries(probe.expressions)) {
        probe.values[name] = await page.evaluate(expression);
      }
    }
  } finally {
    await browser.close();
  }
  fs.writeFileSync(reportPath, JSON.stringify(probes));
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
