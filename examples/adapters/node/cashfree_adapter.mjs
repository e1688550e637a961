// A Cashfree adapter in Node (18+, standard library only), run through payconform's scenarios.
//
//   payconform serve cashfree --judge --port 8700 &        # prints http://127.0.0.1:8700/pg
//   node examples/adapters/node/cashfree_adapter.mjs http://127.0.0.1:8700/pg outcomes.json
//   payconform judge --url http://127.0.0.1:8700/pg --outcomes outcomes.json
//
// The adapter is the CashfreeLinks class: documented headers, one x-idempotency-key per cancel
// reused on its own retries, Retry-After honoured, no retry of a refusal. The driver below it
// runs the plan served at /_simulator/scenarios and writes the outcome of every cancel.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const [base, outFile] = process.argv.slice(2);
if (!base || !outFile) {
  console.error("usage: cashfree_adapter.mjs BASE_URL OUTCOMES_FILE");
  process.exit(2);
}
const credentials = {
  id: process.env.CASHFREE_CLIENT_ID ?? "TEST-payconform-sim-app-id",
  secret: process.env.CASHFREE_CLIENT_SECRET ?? "TEST-payconform-sim-secret",
};

class CashfreeLinks {
  constructor(baseUrl, clientId, clientSecret) {
    this.base = baseUrl.replace(/\/$/, "");
    this.headers = {
      "x-client-id": clientId, "x-client-secret": clientSecret, "x-api-version": "2025-01-01",
    };
  }

  async create() {
    const linkId = `node_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const response = await fetch(`${this.base}/links`, {
      method: "POST",
      headers: { ...this.headers, "content-type": "application/json" },
      body: JSON.stringify({
        link_id: linkId, link_amount: 100, link_currency: "INR", link_purpose: "node check",
        customer_details: { customer_phone: "9999999999" },
      }),
      signal: AbortSignal.timeout(5000),
    });
    if (response.status !== 200) throw new Error(`create failed: HTTP ${response.status}`);
    return linkId;
  }

  async cancel(linkId) {
    const headers = { ...this.headers, "x-idempotency-key": randomUUID() };  // kept for retries
    for (let attempt = 1; ; attempt++) {
      const last = attempt === 3;
      let response;
      try {
        response = await fetch(`${this.base}/links/${encodeURIComponent(linkId)}/cancel`, {
          method: "POST", headers, signal: AbortSignal.timeout(5000),
        });
      } catch {  // a timeout or a dropped connection: the answer is lost, the key is kept
        if (last) return "PROVIDER_ERROR";
        await sleep(200);
        continue;
      }
      const text = await response.text();
      const retryAfter = Number(response.headers.get("retry-after"));
      if (response.status === 429 && retryAfter > 0 && !last) {
        await sleep(retryAfter * 1000);
        continue;
      }
      if (response.status >= 500 && !last) {
        await sleep(200);
        continue;
      }
      return CashfreeLinks.outcome(response.status, text);
    }
  }

  static outcome(status, text) {
    if (status === 200) return "CANCELLED";
    if (status === 429) return "RATE_LIMITED";
    if (status >= 500) return "PROVIDER_ERROR";
    if (status === 401) return "UNAUTHORIZED";
    let code;
    try { code = JSON.parse(text).code; } catch { return "PROVIDER_ERROR"; }
    if (code === "link_not_active") return "NOT_CANCELLABLE";
    if (code === "link_not_found" || status === 404) return "NOT_FOUND";
    return "INVALID_REQUEST";
  }
}

async function control(path, body) {
  const response = await fetch(`${base}/_simulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${path}: HTTP ${response.status}`);
  return response.json();
}

const outcomes = {};
const { scenarios } = await control("scenarios");
for (const scenario of scenarios) {
  await control(`scenarios/${encodeURIComponent(scenario.id)}/begin`, {});
  const adapter = new CashfreeLinks(base, credentials.id, credentials.secret);
  let linkId = scenario.cancel_id;
  if (scenario.create) {
    linkId = await adapter.create();
    await control(`scenarios/${encodeURIComponent(scenario.id)}/link`, { link_id: linkId });
  }
  const actor = scenario.credentials === "wrong"
    ? new CashfreeLinks(base, `wrong-${credentials.id}`, `wrong-${credentials.secret}`)
    : adapter;
  outcomes[scenario.id] = await actor.cancel(linkId);
}
writeFileSync(outFile, JSON.stringify({ provider: "cashfree", outcomes }, null, 1));
