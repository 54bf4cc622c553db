// Play one sign-in in Agent Chat UI as a person would, in headless Chromium.
//
// Usage: node drive.mjs <ui url> <api url> <assistant id> <screenshot dir> <okx-sim> <HOME>
//                       <request> <text of the last answer> <what must be in view, JSON>
// Every message is typed into the chat's own message box (a new run each time,
// as the UI sends it): the request, "2" at the menu, "好了" once the simulator
// approved. After each reply the page's text is recorded, with where the
// step's targets are drawn on the 1280×900 screen, and a screenshot of that
// screen saved as <assistant id>-<step>.png; the steps go to stdout as JSON.
//
// The targets, per step name: {"text": s} (the last element holding s),
// {"pattern": re} (the same, for the first match of the regex re) or
// {"link": url} (the last link to url). Each is reported as the text found, its
// box, and whether a reader sees it: the box's corners and centre are not
// covered by anything else (the header, the message box) nor clipped off by a
// scrolled panel.
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const [ui, api, assistant, shots, simulator, home, request, answer, targetsJson] =
  process.argv.slice(2);
const targets = JSON.parse(targetsJson);
const SCREEN = { width: 1280, height: 900 };
const WAIT_MS = 90_000;
const SETTLE_MS = 10_000;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const steps = [];
try {
  const page = await browser.newPage({ viewport: SCREEN });
  const messageBox = page.getByPlaceholder("Type your message...");

  async function type(text) {
    await messageBox.fill(text);
    await messageBox.press("Enter");
  }

  // Where each target is drawn now (runs in the page).
  function place(wanted) {
    function holds(element, target) {
      if (target.link !== undefined) {
        return element.tagName === "A" && element.getAttribute("href") === target.link
          ? element.textContent : null;
      }
      const text = element.textContent ?? "";
      if (target.text !== undefined) return text.includes(target.text) ? target.text : null;
      return new RegExp(target.pattern).exec(text)?.[0] ?? null;
    }
    function uncovered(element, box) {
      const near = (from, to) => from + Math.sign(to - from) * Math.min(1, Math.abs(to - from) / 2);
      const points = [
        [(box.left + box.right) / 2, (box.top + box.bottom) / 2],
        [near(box.left, box.right), near(box.top, box.bottom)],
        [near(box.right, box.left), near(box.bottom, box.top)],
      ];
      return points.every(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return hit !== null && element.contains(hit);
      });
    }
    return wanted.map((target) => {
      // The deepest element that holds the target, the last on the page.
      let found = null;
      for (const element of document.body.querySelectorAll("*")) {
        if (holds(element, target) === null || element.getClientRects().length === 0) continue;
        if ([...element.children].some((child) => holds(child, target) !== null)) continue;
        found = element;
      }
      if (found === null) return { target, text: null, box: null, seen: false };
      const rect = found.getBoundingClientRect();
      const box = { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
      return { target, text: holds(found, target), box, seen: uncovered(found, rect) };
    });
  }

  // The targets' places once the chat stopped scrolling (it glides to the bottom).
  async function settled(wanted) {
    let before = await page.evaluate(place, wanted);
    for (const start = Date.now(); Date.now() - start < SETTLE_MS;) {
      await page.waitForTimeout(250);
      const now = await page.evaluate(place, wanted);
      if (JSON.stringify(now) === JSON.stringify(before)) return now;
      before = now;
    }
    return before;
  }

  async function seen(name, text) {
    await page.getByText(text, { exact: false }).last().waitFor({ timeout: WAIT_MS });
    await page.waitForLoadState("networkidle");
    const inView = await settled(targets[name] ?? []);
    await page.screenshot({ path: `${shots}/${assistant}-${name}.png` });
    steps.push({
      name, screen: page.viewportSize(), inView,
      text: await page.locator("body").innerText(),
    });
  }

  const query = new URLSearchParams({ apiUrl: api, assistantId: assistant });
  await page.goto(`${ui}/?${query}`);
  await messageBox.waitFor({ timeout: WAIT_MS });
  await type(request);
  await seen("1-menu", "您需要选择要连接的 OKX 站点");
  await type("2");
  await seen("2-link-and-code", "验证码:");
  execFileSync(simulator, ["browser", "approve"], { env: { ...process.env, HOME: home } });
  await type("好了");
  await seen("3-signed-in", answer);
} finally {
  await browser.close();
}
console.log(JSON.stringify(steps));
