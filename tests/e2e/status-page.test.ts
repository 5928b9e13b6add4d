// The web bundle in a real browser: it loads from the local edge server, calls the health
// function and shows that the functions and the database answer.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotDir } from "../support/browser.ts";
import { apiUrl } from "../support/stack.ts";

let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("status page", () => {
  it("shows the functions' version and a healthy database", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(new URL(apiUrl).origin + "/");
    await expect.poll(() => page.getByTestId("status-database").textContent()).toBe("ok");
    expect(await page.getByTestId("status-functions").textContent()).toMatch(/^version \d+\.\d+\.\d+/);
    expect(await page.title()).toBe("Atrium");
    await mkdir(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, "status-page.png") });
    expect(errors).toEqual([]);
  });
});
