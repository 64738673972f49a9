// GraphiQL in a real browser: open the gateway's /graphql page in headless Chromium, run the example
// query as two demo personas and read each answer from the response pane.
//
//   node tests/browser/graphiql.mjs <gateway /graphql URL> <screenshot.png>
//
// The browser is $CHROMIUM (default /usr/bin/chromium, Debian's package). Prints one line of JSON,
// {ok, kari, jonas, layout, foreignRequests, consoleErrors, ...}; exits 0 when both personas' data showed up
// and the page asked nothing of any host but the gateway, 1 otherwise (the reason is in "error").
import { chromium } from "playwright-core";

const TOTAL_MS = 55_000; // the whole script, browser start to exit
const STEP_MS = 15_000; // any one wait on the page
const KARI = { id: "12848510058", name: "Kari Nordmann" };
const JONAS = { id: "20821250162", name: "Jonas Nordmann" };
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const [url, screenshotPath] = process.argv.slice(2);
if (!url || !screenshotPath) {
  console.error("usage: node graphiql.mjs <gateway /graphql URL> <screenshot.png>");
  process.exit(1);
}
const origin = new URL(url).origin;
const result = { ok: false, kari: null, jonas: null, foreignRequests: [], consoleErrors: [], requests: 0 };
let browser = null;

function finish(code, error) {
  if (error) result.error = error;
  process.stdout.write(JSON.stringify(result) + "\n");
  if (error) process.stderr.write(`graphiql.mjs: ${error}\n`);
  process.exit(code);
}

const deadline = setTimeout(() => {
  finish(1, `gave up after ${TOTAL_MS / 1000} s (last step: ${result.step ?? "start"})`);
}, TOTAL_MS);

function step(name) {
  result.step = name;
}

async function runAs(page, persona) {
  step(`token for ${persona.name}`);
  await page.waitForFunction(
    (name) => (document.getElementById("token-status")?.textContent ?? "").startsWith(`Logged in as ${name} `),
    persona.name,
    { timeout: STEP_MS },
  );
  step(`run as ${persona.name}`);
  const started = Date.now();
  await page.locator(".graphiql-execute-button").click({ timeout: STEP_MS });
  step(`answer for ${persona.name}`);
  // The pane shows the previous persona's answer until the new one arrives, and an answer may name other
  // people too: so wait for the viewer's own id in the JSON, then check the pane shows the viewer's name.
  const handle = await page.waitForFunction(
    (id) => {
      // The whole JSON as GraphiQL holds it (CodeMirror draws only the lines in view), and the pane's
      // visible text, what the user sees.
      const pane = document.querySelector(".graphiql-response .result-window");
      const editor = pane?.querySelector(".CodeMirror")?.CodeMirror;
      if (!editor) return false;
      try {
        const body = JSON.parse(editor.getValue());
        return body?.data?.viewer?.id === id ? { body, visible: pane.innerText } : false;
      } catch {
        return false;
      }
    },
    persona.id,
    { timeout: STEP_MS, polling: 100 },
  );
  const { body, visible } = await handle.jsonValue();
  const person = body.data.viewer.person;
  const seen = {
    viewer: body.data.viewer.id,
    name: person?.name?.full ?? null,
    onScreen: visible.includes(persona.name),
    threads: person?.threads?.totalCount ?? null,
    appointments: person?.appointments?.nodes?.length ?? null,
    errors: (body.errors ?? []).map((e) => e.message),
    ms: Date.now() - started,
  };
  if (seen.name !== persona.name) throw new Error(`viewer ${persona.id} is named ${seen.name}, not ${persona.name}`);
  if (!seen.onScreen) throw new Error(`"${persona.name}" is in the answer but not visible in the response pane`);
  return seen;
}

async function main() {
  step("launch");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ARGS,
    timeout: STEP_MS,
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  context.on("request", (request) => {
    result.requests += 1;
    const target = request.url();
    if (/^(data|blob|about):/.test(target)) return;
    if (new URL(target).origin !== origin) result.foreignRequests.push(`${request.method()} ${target}`);
  });
  page.on("websocket", (ws) => {
    const target = new URL(ws.url());
    if (`${target.protocol === "wss:" ? "https:" : "http:"}//${target.host}` !== origin) {
      result.foreignRequests.push(`WEBSOCKET ${ws.url()}`);
    }
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const where = message.location()?.url;
    result.consoleErrors.push(where ? `${message.text()} (${where})` : message.text());
  });
  page.on("pageerror", (error) => result.consoleErrors.push(`uncaught: ${error.message}`));

  try {
    step("open the page");
    const response = await page.goto(url, { waitUntil: "load", timeout: STEP_MS });
    if (!response || response.status() !== 200) throw new Error(`GET ${url} answered ${response?.status()}`);
    step("GraphiQL renders");
    await page.locator(".graphiql-execute-button").waitFor({ state: "visible" });
    await page.locator("#persona").waitFor({ state: "visible" });
    // page.css is a file of its own now: had it not loaded, GraphiQL would not fill the window.
    result.layout = await page.evaluate(() => ({
      bodyDisplay: getComputedStyle(document.body).display,
      editorHeight: Math.round(document.getElementById("graphiql").getBoundingClientRect().height),
      windowHeight: window.innerHeight,
    }));

    result.kari = await runAs(page, KARI);

    step("switch persona");
    await page.selectOption("#persona", JONAS.id);
    result.jonas = await runAs(page, JONAS);
  } finally {
    await page.screenshot({ path: screenshotPath, fullPage: false }).catch((error) => {
      result.consoleErrors.push(`screenshot failed: ${error.message}`);
    });
  }
  if (result.foreignRequests.length) throw new Error(`requests to other hosts: ${result.foreignRequests.join(", ")}`);
  step("done");
  result.ok = true;
}

try {
  await main();
  await browser.close();
  clearTimeout(deadline);
  finish(0);
} catch (error) {
  await browser?.close().catch(() => {});
  clearTimeout(deadline);
  finish(1, `${result.step}: ${error.message.split("\n")[0]}`);
}
