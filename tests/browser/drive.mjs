// Play one sign-in in Agent Chat UI as a person would, in headless Chromium.
//
// Usage: node drive.mjs <ui url> <api url> <assistant id> <screenshot dir> <okx-sim> <HOME>
//                       <request> <text of the last answer>
// Every message is typed into the chat's own message box (a new run each time,
// as the UI sends it): the request, "2" at the menu, "好了" once the simulator
// approved. After each reply the page's text is recorded and a screenshot
// saved as <assistant id>-<step>.png; the steps go to stdout as JSON.
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const [ui, api, assistant, shots, simulator, home, request, answer] = process.argv.slice(2);
const WAIT_MS = 90_000;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const steps = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const messageBox = page.getByPlaceholder("Type your message...");

  async function type(text) {
    await messageBox.fill(text);
    await messageBox.press("Enter");
  }

  async function seen(name, text) {
    await page.getByText(text, { exact: false }).last().waitFor({ timeout: WAIT_MS });
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `${shots}/${assistant}-${name}.png`, fullPage: true });
    steps.push({ name, text: await page.locator("body").innerText() });
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
