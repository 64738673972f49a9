// The reference Innboks web app (web/) in a real browser: headless Chromium signs in as demo personas
// at the gateway's /app/ and reads what the page shows.
//
//   node tests/browser/web_app.mjs <gateway base URL> <screenshot.png>
//
// The browser is $CHROMIUM (default /usr/bin/chromium). Prints one line of JSON and exits 0, or 1 with
// the reason in "error".
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

const STEP_MS = 15_000;
const [base, screenshotPath] = process.argv.slice(2);
const result = { ok: false };
let browser = null;

function finish(code, error) {
  if (error) result.error = error;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}
setTimeout(() => finish(1, "ran over 55 s"), 55_000).unref();

try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  await page.goto(`${base}/app/`, { timeout: STEP_MS });

  // Kari: her own inbox, paged to the end with "Vis flere".
  await page.selectOption("#persona", "12848510058", { timeout: STEP_MS });
  await page.waitForSelector("#acting-for", { timeout: STEP_MS });
  result.kariActingFor = await page.textContent("#acting-for");
  await page.waitForSelector("li[data-thread]", { timeout: STEP_MS });
  result.kariCount = await page.textContent(".count");
  let pages = 1;
  while (await page.locator("button", { hasText: "Vis flere" }).count()) {
    const before = await page.locator("li[data-thread]").count();
    await page.click("text=Vis flere", { timeout: STEP_MS });
    await page.waitForFunction((n) => document.querySelectorAll("li[data-thread]").length > n, before, { timeout: STEP_MS });
    pages += 1;
  }
  result.kariThreads = await page.locator("li[data-thread]").count();
  result.kariPages = pages;

  // axe-core on the inbox: no serious or critical accessibility violation.
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const axe = await page.evaluate(async () => (await window.axe.run()).violations);
  result.axeViolations = axe
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);

  // Opening an unread thread reads it: back in the inbox its unread count is gone.
  const unread = page.locator("li[data-thread]:has(.unread)").first();
  const threadId = await unread.getAttribute("data-thread");
  await unread.locator("button").click({ timeout: STEP_MS });
  await page.waitForSelector("#thread-heading", { timeout: STEP_MS });
  result.openedMessages = await page.locator(".messages > li").count();
  await page.click("text=Tilbake til innboksen", { timeout: STEP_MS });
  await page.waitForSelector(`li[data-thread="${threadId}"]`, { timeout: STEP_MS });
  await page.waitForFunction(
    (id) => !document.querySelector(`li[data-thread="${id}"] .unread`),
    threadId,
    { timeout: STEP_MS },
  );
  result.openedThreadRead = true;

  // Console errors of the page until here; the lost answer below makes one (net::ERR_FAILED) on purpose.
  result.consoleErrors = [...consoleErrors];

  // A reply whose answer is lost on the way back (the store has it; the page sees a network error),
  // then sent again: the same attempt, the same idempotency key, one message at the store.
  const body = `Svar fra nettleseren ${Date.now()}`;
  result.replyBody = body;
  let lost = false;
  await page.route("**/graphql", async (route) => {
    if (!lost && (route.request().postData() || "").includes("ReplyToThread")) {
      lost = true;
      await route.fetch(); // it reaches the gateway and the message store
      return route.abort("failed");
    }
    return route.continue();
  });
  await page.click('li[data-thread="th-kari-001"] button', { timeout: STEP_MS });
  await page.waitForSelector("#reply-body", { timeout: STEP_MS });
  await page.fill("#reply-body", body);
  await page.click("text=Send svar");
  await page.waitForFunction(() => /Prøv igjen/.test(document.querySelector("#reply-status")?.textContent || ""), null, { timeout: STEP_MS });
  result.replyLost = await page.textContent("#reply-status");
  await page.click("text=Send svar");
  await page.waitForFunction(() => (document.querySelector("#reply-status")?.textContent || "") === "Svaret er sendt.", null, { timeout: STEP_MS });
  result.replySent = await page.textContent("#reply-status");
  await page.unroute("**/graphql");
  await page.click("text=Tilbake til innboksen", { timeout: STEP_MS });

  // Acting for Emma (7): the notice that not all messages are shown.
  await page.selectOption("#subject", "15861950082", { timeout: STEP_MS });
  await page.waitForSelector(".notice", { timeout: STEP_MS });
  result.emmaActingFor = await page.textContent("#acting-for");
  result.emmaNotice = await page.textContent(".notice");
  await page.screenshot({ path: screenshotPath, fullPage: true });

  // Acting for Jonas (14): his health contacts and appointments show GP and municipal items only.
  await page.selectOption("#subject", "20821250162", { timeout: STEP_MS });
  await page.click("text=Helsekontakter", { timeout: STEP_MS });
  await page.waitForSelector("li[data-contact]", { timeout: STEP_MS });
  result.jonasContactKinds = await page.$$eval("li[data-contact]", (items) => items.map((i) => i.dataset.kind));
  await page.click("text=Timeavtaler", { timeout: STEP_MS });
  await page.waitForSelector("#appointments-heading", { timeout: STEP_MS });
  result.jonasAppointmentKinds = await page.$$eval("li[data-appointment]", (items) => items.map((i) => i.dataset.kind));

  // Emma signing in herself: refused, with the CHILD_AGE wording.
  await page.selectOption("#persona", "15861950082", { timeout: STEP_MS });
  await page.waitForSelector("[role=alert]", { timeout: STEP_MS });
  result.emmaSignIn = await page.textContent("[role=alert]");
  result.ok = true;
  await browser.close();
  finish(0);
} catch (error) {
  if (browser) await browser.close().catch(() => {});
  finish(1, String(error));
}
