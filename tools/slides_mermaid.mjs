// Render a batch of mermaid diagrams to SVG with ONE headless browser: the batch form of `mmdc`
// (@mermaid-js/mermaid-cli, whose renderMermaid does the drawing), so that a build costs one browser start-up
// and every diagram's error is reported on its own. tools/slides_mermaid.py runs it; nothing here downloads anything.
//
//   node tools/slides_mermaid.mjs PUPPETEER_CONFIG.json [PAGES] < jobs.json > results.json
//
// PUPPETEER_CONFIG.json: the file `mmdc -p` takes (executablePath, args, headless).
// PAGES: how many diagrams to draw at a time (browser tabs; default 1).
// jobs.json:    [{"definition": "graph LR ...", "output": "/abs/path.svg", "svgId": "mermaid-0123abcd"}, ...]
// results.json: [{"output": "/abs/path.svg", "ok": true}, {"output": "...", "ok": false, "error": "..."}, ...]
// Exit status 0 when every job was attempted (failed diagrams are in the results), 2 when the browser failed.

import fs from "node:fs";
import puppeteer from "puppeteer";
import { renderMermaid } from "@mermaid-js/mermaid-cli";

const [configPath, pagesArg] = process.argv.slice(2);
if (!configPath) {
  console.error("usage: node tools/slides_mermaid.mjs PUPPETEER_CONFIG.json < jobs.json");
  process.exit(2);
}
const launchOptions = JSON.parse(fs.readFileSync(configPath, "utf-8"));
const jobs = JSON.parse(fs.readFileSync(0, "utf-8"));

// mermaid's own message, without the stack trace puppeteer appends
function mermaidMessage(err) {
  const text = String(err && err.message ? err.message : err);
  return text.replace(/^Error: /, "").trimEnd();
}

let browser;
try {
  browser = await puppeteer.launch(launchOptions);
} catch (err) {
  console.error(`could not start the browser for mermaid (${launchOptions.executablePath}): ${err.message}`);
  process.exit(2);
}

async function render(job) {
  try {
    const { data } = await renderMermaid(browser, job.definition, "svg", {
      svgId: job.svgId,
      backgroundColor: "transparent",
    });
    fs.writeFileSync(job.output, data);
    return { output: job.output, ok: true };
  } catch (err) {
    return { output: job.output, ok: false, error: mermaidMessage(err) };
  }
}

const results = new Array(jobs.length);
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const i = next++;
    results[i] = await render(jobs[i]);
  }
}
const pages = Math.max(1, Math.min(Number(pagesArg) || 1, jobs.length));
try {
  await Promise.all(Array.from({ length: pages }, worker));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
