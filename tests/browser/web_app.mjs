// The reference Innboks web app (web/) in a real browser: headless Chromium signs in as demo personas
// at the gateway's /app/ and reads what the page shows.
//
//   node tests/browser/web_app.mjs <gateway base URL> <artefacts directory>
//
// Where a step needs the test to act on the gateway or the sandbox (send a message through the API,
// revoke a fullmakt, slow down or stop a sandbox source), it prints {"await": "<step>", ...} and reads one
// line from stdin once it is done.
// The browser is $CHROMIUM (default /usr/bin/chromium). Prints one line of JSON with the result and
// exits 0, or 1 with the reason in "error"; screenshots of each stage go to the artefacts directory.
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

const STEP_MS = 15_000;
const KARI = "12848510058";
const OLA = "03894810369";
const EMMA = "15861950082";
const JONAS = "20821250162";
const SOFIE = "01880950017";
const ERIK = "14907910130";
const INGRID = "22877510070";
const [base, artefacts] = process.argv.slice(2);
const result = { ok: false, screenshots: [] };
let browser = null;

function finish(code, error) {
  if (error) result.error = error;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}
setTimeout(() => finish(1, "ran over 100 s"), 100_000).unref();

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** Ask the test to do `step` on the gateway or sandbox, and wait until it has. */
async function awaitTest(step, details = {}) {
  process.stdout.write(JSON.stringify({ await: step, ...details }) + "\n");
  const answer = await lines.next();
  if (answer.done || answer.value.trim() !== "done") throw new Error(`the test did not do ${step}: ${answer.value}`);
}

async function shoot(page, name) {
  const path = `${artefacts}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
}

async function seriousViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) {
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  }
  const violations = await page.evaluate(async () => (await window.axe.run()).violations);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

const text = (page, selector) => page.textContent(selector, { timeout: STEP_MS });
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || null, thread: el?.closest("li[data-thread]")?.dataset.thread || null, tag: el?.tagName };
  });
const threadIds = (page) => page.$$eval("li[data-thread]", (items) => items.map((i) => i.dataset.thread));
const count = (page, selector) => page.locator(selector).count();

/** In the page: watch every change of the DOM from now on, and note what the inbox page showed of its
 * deferred appointments when its threads first showed, and when the appointments came. The note is taken
 * by the page itself as it changes, so no poll can miss a state that lasted only a moment. */
function watchDeferredAppointments() {
  const seen = { threadsAt: null, appointmentsAt: null, loadingWithThreads: null, appointmentsWithThreads: null };
  const visible = (el) => Boolean(el && el.checkVisibility());
  const look = () => {
    const threads = visible(document.querySelector("li[data-thread]"));
    const loading = document.querySelector('#inbox-appointments[aria-busy="true"] .loading');
    const appointments = visible(document.querySelector("#inbox-appointments li[data-appointment]"));
    if (threads && seen.threadsAt === null) {
      seen.threadsAt = performance.now();
      seen.loadingWithThreads = visible(loading) ? loading.textContent : null;
      seen.appointmentsWithThreads = appointments;
    }
    if (appointments && seen.appointmentsAt === null) seen.appointmentsAt = performance.now();
  };
  window.deferredSeen = seen;
  new MutationObserver(look).observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
}

try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  // Every query and mutation the app sends: by its hash in the manifest, never as text.
  result.requestsWithText = [];
  const byHash = new Set();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname !== "/graphql") return;
    const body = request.postData() ? JSON.parse(request.postData()) : Object.fromEntries(url.searchParams);
    if (body.query) result.requestsWithText.push(body.operationName || body.query.slice(0, 40));
    else byHash.add(body.operationName);
    result.operationsByHash = [...byHash].sort();
  });
  await page.goto(`${base}/app/`, { timeout: STEP_MS });
  await page.waitForSelector(`option[value="${KARI}"]`, { state: "attached", timeout: STEP_MS });

  // Keyboard only: Tab to the sign-in, choose Kari with the arrow key, Tab to a thread, open it with
  // Enter (the focus moves to its heading), go back with Enter (the focus returns to the thread).
  await page.keyboard.press("Tab");
  result.firstTab = (await focused(page)).id;
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector("li[data-thread]", { timeout: STEP_MS });
  for (let n = 0; n < 40 && !(await focused(page)).thread; n++) await page.keyboard.press("Tab");
  const byKeyboard = (await focused(page)).thread;
  await page.keyboard.press("Enter");
  await page.waitForSelector("#thread-heading", { timeout: STEP_MS });
  result.keyboardOpenedFocus = (await focused(page)).id;
  await page.keyboard.press("Shift+Tab");
  result.keyboardBackButton = await page.evaluate(() => document.activeElement?.textContent);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`li[data-thread="${byKeyboard}"]`, { timeout: STEP_MS });
  result.keyboardReturnedTo = (await focused(page)).thread === byKeyboard;

  // Kari: her inbox paged to the end with "Vis flere", then her archive.
  result.kariActingFor = await text(page, "#acting-for");
  result.kariCount = await text(page, ".count");
  let pages = 1;
  while (await page.locator("button", { hasText: "Vis flere" }).count()) {
    const before = await page.locator("li[data-thread]").count();
    await page.click("text=Vis flere", { timeout: STEP_MS });
    await page.waitForFunction((n) => document.querySelectorAll("li[data-thread]").length > n, before, { timeout: STEP_MS });
    pages += 1;
  }
  const inbox = await threadIds(page);
  result.kariPages = pages;
  await shoot(page, "kari-inbox");
  result.axeViolations = await seriousViolations(page);
  await page.click("button:text-is('Arkiv')", { timeout: STEP_MS });
  await page.waitForFunction(() => /meldingstråder/.test(document.querySelector(".count")?.textContent || ""), null, { timeout: STEP_MS });
  await page.waitForSelector("#inbox-heading:text-is('Arkiv')", { timeout: STEP_MS });
  const archive = await threadIds(page);
  result.kariThreads = new Set([...inbox, ...archive]).size;
  result.kariInboxThreads = inbox.length;
  result.kariArchivedThreads = archive.length;
  await page.click("button:text-is('Innboks')", { timeout: STEP_MS });
  await page.waitForSelector("#inbox-heading:text-is('Meldinger')", { timeout: STEP_MS });

  // Opening an unread thread reads it: back in the inbox its unread count is gone.
  await page.waitForSelector("li[data-thread]:has(.unread)", { timeout: STEP_MS });
  const unread = page.locator("li[data-thread]:has(.unread)").first();
  const threadId = await unread.getAttribute("data-thread");
  await unread.locator("button").click({ timeout: STEP_MS });
  await page.waitForSelector("#thread-heading", { timeout: STEP_MS });
  result.openedMessages = await page.locator(".messages > li").count();
  await shoot(page, "kari-thread");
  result.axeViolations.push(...(await seriousViolations(page)));
  await page.click("text=Tilbake til innboksen", { timeout: STEP_MS });
  await page.waitForSelector(`li[data-thread="${threadId}"]`, { timeout: STEP_MS });
  await page.waitForFunction((id) => !document.querySelector(`li[data-thread="${id}"] .unread`), threadId, { timeout: STEP_MS });
  result.openedThreadRead = true;

  // Archive it and move it back: it leaves the inbox for the archive, and returns.
  await page.click(`li[data-thread="${threadId}"] button`, { timeout: STEP_MS });
  await page.click("button:text-is('Arkiver')", { timeout: STEP_MS });
  await page.waitForSelector("#inbox-heading:text-is('Meldinger')", { timeout: STEP_MS });
  await page.waitForFunction((id) => !document.querySelector(`li[data-thread="${id}"]`), threadId, { timeout: STEP_MS });
  await page.click("button:text-is('Arkiv')", { timeout: STEP_MS });
  await page.waitForSelector(`li[data-thread="${threadId}"]`, { timeout: STEP_MS });
  result.archivedShownInArchive = true;
  await page.click(`li[data-thread="${threadId}"] button`, { timeout: STEP_MS });
  await page.click("button:text-is('Flytt til innboksen')", { timeout: STEP_MS });
  await page.waitForFunction((id) => !document.querySelector(`li[data-thread="${id}"]`), threadId, { timeout: STEP_MS });
  await page.click("button:text-is('Innboks')", { timeout: STEP_MS });
  await page.waitForSelector(`li[data-thread="${threadId}"]`, { timeout: STEP_MS });
  result.unarchivedBackInInbox = true;

  // A new thread to a contact that offers digital dialogue: an empty subject is named at its field,
  // then the message is sent and its thread opens.
  await page.click("button:text-is('Helsekontakter')", { timeout: STEP_MS });
  await page.click("li[data-contact] button:has-text('Skriv melding')", { timeout: STEP_MS });
  await page.fill("#new-body", "Kan jeg få time neste uke?");
  await page.click("text=Send melding");
  await page.waitForSelector("#new-subject-error", { timeout: STEP_MS });
  result.emptySubjectError = await text(page, "#new-subject-error");
  result.emptySubjectInvalid = await page.getAttribute("#new-subject", "aria-invalid");
  result.axeViolations.push(...(await seriousViolations(page)));
  await shoot(page, "kari-new-message-error");
  const subject = `Time neste uke ${Date.now()}`;
  result.newSubject = subject;
  await page.fill("#new-subject", subject);
  await page.click("text=Send melding");
  await page.waitForSelector(`#thread-heading:text-is("${subject}")`, { timeout: STEP_MS });
  result.newThreadOpened = true;

  // Console errors of the page until here; the lost answer below makes one (net::ERR_FAILED) on purpose.
  result.consoleErrors = [...consoleErrors];

  // In the new thread, a reply whose answer is lost on the way back (the store has it; the page sees a
  // network error), then sent again: the same attempt, the same idempotency key, one message at the store.
  const body = `Svar fra nettleseren ${Date.now()}`;
  result.replyBody = body;
  let lost = false;
  await page.route("**/graphql*", async (route) => {
    if (!lost && (route.request().postData() || "").includes("ReplyToThread")) {
      lost = true;
      await route.fetch(); // it reaches the gateway and the message store
      return route.abort("failed");
    }
    return route.continue();
  });
  await page.fill("#reply-body", body);
  await page.click("text=Send svar");
  await page.waitForFunction(() => /Prøv igjen/.test(document.querySelector("#reply-status")?.textContent || ""), null, { timeout: STEP_MS });
  result.replyLost = await text(page, "#reply-status");
  await page.click("text=Send svar");
  await page.waitForFunction(() => (document.querySelector("#reply-status")?.textContent || "") === "Svaret er sendt.", null, { timeout: STEP_MS });
  result.replySent = await text(page, "#reply-status");
  await page.unroute("**/graphql*");
  await page.waitForSelector(`.messages > li:has-text("${body}")`, { timeout: STEP_MS });
  result.replyShown = await page.locator(".messages > li", { hasText: body }).count();
  await page.click("text=Tilbake til innboksen", { timeout: STEP_MS });
  await page.waitForSelector(`li[data-thread] button:text-is("${subject}")`, { timeout: STEP_MS });

  // A message sent through the API (another device) appears without a reload.
  const live = `Sendt fra en annen enhet ${Date.now()}`;
  result.liveSubject = live;
  await awaitTest("send", { subject: live });
  await page.waitForSelector(`li[data-thread] button:text-is("${live}")`, { timeout: STEP_MS });
  result.liveNotice = await text(page, "#live");

  // Acting for Ola by fullmakt; the fullmakt is revoked: the live updates end, and say why.
  await page.selectOption("#subject", OLA, { timeout: STEP_MS });
  await page.waitForSelector("li[data-thread]", { timeout: STEP_MS });
  await awaitTest("revoke");
  await page.waitForSelector("#live.ended", { timeout: STEP_MS });
  result.liveEnded = await text(page, "#live");
  await shoot(page, "ola-live-ended");

  // Acting for Emma (7): the notice that not all messages are shown.
  await page.selectOption("#subject", EMMA, { timeout: STEP_MS });
  await page.waitForSelector(".notice", { timeout: STEP_MS });
  result.emmaActingFor = await text(page, "#acting-for");
  result.emmaNotice = await text(page, ".notice");
  await page.waitForSelector('#inbox-appointments[aria-busy="false"]', { timeout: STEP_MS });
  await page.waitForSelector('#inbox-contacts[aria-busy="false"]', { timeout: STEP_MS });
  await shoot(page, "emma-inbox");

  // Acting for Jonas (14): his health contacts and appointments show GP and municipal items only. His
  // inbox page's deferred contacts are in first, so that Helsekontakter reads them from the cache (left
  // before they came, the view would ask for them itself, as the Timeavtaler case below shows).
  await page.selectOption("#subject", JONAS, { timeout: STEP_MS });
  await page.waitForSelector("#acting-for:has-text('Jonas')", { timeout: STEP_MS });
  await page.waitForSelector('#inbox-contacts[aria-busy="false"]', { timeout: STEP_MS });
  await page.click("text=Helsekontakter", { timeout: STEP_MS });
  await page.waitForSelector("li[data-contact]", { timeout: STEP_MS });
  result.jonasContactKinds = await page.$$eval("li[data-contact]", (items) => items.map((i) => i.dataset.kind));
  await shoot(page, "jonas-contacts");
  await page.click("text=Timeavtaler", { timeout: STEP_MS });
  await page.waitForSelector('#appointments[aria-busy="false"]', { timeout: STEP_MS });
  result.jonasAppointmentKinds = await page.$$eval("li[data-appointment]", (items) => items.map((i) => i.dataset.kind));

  // Erik acting for Ingrid: his fullmakt covers area 1 (her GP), not her inbox (PROXY_SCOPE).
  await page.selectOption("#persona", ERIK, { timeout: STEP_MS });
  await page.selectOption("#subject", INGRID, { timeout: STEP_MS });
  await page.waitForSelector("main [role=alert]", { timeout: STEP_MS });
  result.erikForIngridInbox = await text(page, "main [role=alert]");
  await page.click("text=Helsekontakter", { timeout: STEP_MS });
  await page.waitForSelector("li[data-contact]", { timeout: STEP_MS });
  result.erikForIngridContacts = await page.locator("li[data-contact]").count();

  // A link to Sofie's page (17): Kari does not represent her, and is told why.
  await page.goto("about:blank");
  await page.goto(`${base}/app/#person=${SOFIE}`, { timeout: STEP_MS });
  await page.waitForSelector(`option[value="${KARI}"]`, { state: "attached", timeout: STEP_MS });
  await page.selectOption("#persona", KARI, { timeout: STEP_MS });
  await page.waitForSelector("[role=alert]", { timeout: STEP_MS });
  result.sofieLink = await text(page, "[role=alert]");
  await shoot(page, "kari-sofie-refused");

  // Emma signing in herself: refused, with the CHILD_AGE wording.
  await page.selectOption("#persona", EMMA, { timeout: STEP_MS });
  await page.waitForFunction(() => !document.querySelector("#subject") && document.querySelector("[role=alert]")?.textContent, null, { timeout: STEP_MS });
  result.emmaSignIn = await text(page, "[role=alert]");

  // Kari signs in again (a new client: nothing cached) with the hospital's FHIR appointments source slowed:
  // the threads show while the appointments (a deferred fragment) still say they are loading, and the
  // appointments fill in later, in the same answer.
  await awaitTest("faults", { source: "appointments", faults: { latency_ms: 3000 } });
  await page.evaluate(watchDeferredAppointments);
  await page.selectOption("#persona", KARI, { timeout: STEP_MS });
  await page.waitForSelector("li[data-thread]", { timeout: STEP_MS });
  await shoot(page, "kari-appointments-loading");
  await page.waitForSelector("#inbox-appointments li[data-appointment]", { timeout: STEP_MS });
  result.deferred = await page.evaluate(() => window.deferredSeen);
  result.deferredAppointments = await count(page, "#inbox-appointments li[data-appointment]");
  result.deferredThreads = await count(page, "li[data-thread]");

  // Acting for Emma, still slowed: her contacts (a deferred part of their own) come at once; Timeavtaler
  // chosen as soon as her threads show, before the appointments' part came (its request ends with the
  // page): the view asks for the appointments itself, and shows them.
  await page.selectOption("#subject", EMMA, { timeout: STEP_MS });
  await page.waitForSelector("#acting-for:has-text('Emma')", { timeout: STEP_MS });
  await page.waitForSelector("li[data-thread]", { timeout: STEP_MS });
  await page.waitForSelector("#inbox-contacts li[data-contact]", { timeout: STEP_MS });
  result.contactsBeforeAppointments = await page.getAttribute("#inbox-appointments", "aria-busy");
  result.leftWhileLoading = await page.getAttribute("#inbox-appointments", "aria-busy");
  await page.click("button:text-is('Timeavtaler')", { timeout: STEP_MS });
  await page.waitForSelector("#appointments li[data-appointment]", { timeout: STEP_MS });
  result.leftEarlyAppointments = await count(page, "#appointments li[data-appointment]");

  // Acting for Jonas with the source down: his threads and contacts come, and the appointments' part
  // fails, saying why in the app's words; back up, the Timeavtaler view fetches them (the cache kept none).
  await awaitTest("faults", { source: "appointments", faults: { latency_ms: 0, down: true } });
  await page.selectOption("#subject", JONAS, { timeout: STEP_MS });
  await page.waitForSelector("#acting-for:has-text('Jonas')", { timeout: STEP_MS });
  await page.waitForSelector('#inbox-appointments[aria-busy="false"] [role=alert]', { timeout: STEP_MS });
  await page.waitForSelector('#inbox-contacts[aria-busy="false"]', { timeout: STEP_MS });
  result.failedPart = await text(page, "#inbox-appointments [role=alert]");
  result.failedPartThreads = await count(page, "li[data-thread]");
  result.failedPartContacts = await count(page, "#inbox-contacts li[data-contact]");
  await shoot(page, "jonas-appointments-failed");
  await awaitTest("faults", { source: "appointments", faults: { down: false } });
  await page.click("button:text-is('Timeavtaler')", { timeout: STEP_MS });
  await page.waitForSelector("#appointments li[data-appointment]", { timeout: STEP_MS });
  result.afterFailureAppointments = await count(page, "#appointments li[data-appointment]");
  result.ok = true;
  await browser.close();
  finish(0);
} catch (error) {
  if (browser) await browser.close().catch(() => {});
  finish(1, String(error));
}
