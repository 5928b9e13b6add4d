// Login throttling in SQL: per account (5 failures since the last success, then doubling
// waits) and per client address (LOGIN_IP_MAX_FAILURES in 15 minutes).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { configure } from "../../functions/_shared/config.ts";
import { loginThrottle, recordLoginAttempt } from "../../functions/_shared/privileged.ts";
import { databaseUrl, rootSql } from "../support/stack.ts";

beforeAll(() => {
  configure({ ...inject("stackEnv"), DATABASE_URL: databaseUrl, LOGIN_IP_MAX_FAILURES: "30" });
});

const account = () => `*:throttle-${randomUUID()}@example.test`;
// Addresses from TEST-NET-3, unique per test so parallel files never share one.
const address = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

async function fail(key: string, ip: string | null, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await recordLoginAttempt(key, ip, false);
}

describe("login throttling", () => {
  it("lets an account fail four times, then waits 30 s, then doubles", async () => {
    const key = account();
    await fail(key, null, 4);
    expect(await loginThrottle(key, null)).toBe(0);
    await fail(key, null, 1);
    const first = await loginThrottle(key, null);
    expect(first).toBeGreaterThan(25);
    expect(first).toBeLessThanOrEqual(30);
    await fail(key, null, 1);
    expect(await loginThrottle(key, null)).toBeGreaterThan(55);
  });

  it("forgets an account's failures after a success", async () => {
    const key = account();
    await fail(key, null, 5);
    expect(await loginThrottle(key, null)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 5)); // the success must be newer than the failures
    await recordLoginAttempt(key, null, true);
    expect(await loginThrottle(key, null)).toBe(0);
  });

  it("makes an address wait after 30 failures across any accounts, until the window passes", async () => {
    const ip = address();
    await rootSql()`delete from public.login_attempts where ip = ${ip}::inet`;
    for (let i = 0; i < 29; i++) await recordLoginAttempt(account(), ip, false);
    expect(await loginThrottle(account(), ip)).toBe(0);
    await recordLoginAttempt(account(), ip, false);
    const wait = await loginThrottle(account(), ip);
    expect(wait).toBeGreaterThan(14 * 60);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    await rootSql()`update public.login_attempts set created_at = created_at - interval '16 minutes' where ip = ${ip}::inet`;
    expect(await loginThrottle(account(), ip)).toBe(0);
  });
});
