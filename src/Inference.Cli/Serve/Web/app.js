// The review page. Vanilla JS, no framework, no build step. Every value from the server (flow data, policy names,
// notes) is put into the page with textContent, never innerHTML, so nothing in a flow can become markup or script.
"use strict";

const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; };

function token() { return $("token").value.trim(); }
function say(text) { $("message").textContent = text; }

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token() },
    body: JSON.stringify(body || {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || data.title || ("HTTP " + response.status));
  return data;
}

async function decide(policy, rule, verdict, noteInput) {
  if (!token()) { say("Enter the write token first (printed when inference serve started for the first time)."); $("token").focus(); return; }
  try {
    await post("/api/decisions", {
      namespace: policy.namespace, policy: policy.name, rule: rule ? rule.key : "", ruleText: rule ? rule.text : null,
      decision: verdict, note: noteInput.value, actor: $("actor").value,
    });
    say(verdict + ": " + policy.namespace + "/" + policy.name + (rule ? " — " + rule.text : ""));
    await load();
  } catch (e) { say("Not saved: " + e.message); }
}

function actions(policy, rule) {
  const box = el("div", null, "actions");
  const note = el("input"); note.type = "text"; note.placeholder = "note (why)"; note.setAttribute("aria-label", "note");
  const approve = el("button", rule ? "Approve rule" : "Approve policy"); approve.type = "button";
  const reject = el("button", rule ? "Reject rule" : "Reject policy"); reject.type = "button";
  const clear = el("button", "Clear"); clear.type = "button";
  approve.addEventListener("click", () => decide(policy, rule, "approved", note));
  reject.addEventListener("click", () => decide(policy, rule, "rejected", note));
  clear.addEventListener("click", () => decide(policy, rule, "cleared", note));
  box.append(note, approve, reject, clear);
  const d = (rule || policy).decision;
  if (d) box.append(el("span", d.verdict + " by " + d.actor + " at " + d.at + (d.note ? ": " + d.note : "")));
  return box;
}

// what the deployed policies (serve's deployed: setting) would deny at this workload, from the diff core
function deployedBreaks(items) {
  const box = el("div", null, "deployed");
  if (items.length === 0) { box.append(el("p", "The deployed policies allow every observed connection of this workload.")); return box; }
  const total = items.reduce((n, b) => n + b.connections, 0);
  box.append(el("h4", `The deployed policies would deny ${total} observed connections here`, "effect"));
  const list = el("ul");
  for (const b of items) list.append(el("li", `${b.edge}: ${b.connections} connections, last seen ${b.lastSeen}; ${b.deniedBy}`));
  box.append(list);
  return box;
}

function renderPolicy(p) {
  const card = el("article", null, "policy");
  card.dataset.policy = p.namespace + "/" + p.name;
  const h = el("h3", p.workload || (p.namespace + "/" + p.name));
  h.append(el("span", p.state, "state " + p.state));
  card.append(h);
  if (p.reason) card.append(el("p", p.reason));
  for (const e of p.effects) card.append(el("p", e, "effect"));
  card.append(actions(p, null));
  if (p.rules.length) {
    const table = el("table");
    const head = el("tr");
    for (const t of ["Rule", "Connections", "First seen", "Last seen", "Source pods", "Verdicts", "Decision"]) head.append(el("th", t));
    table.append(head);
    for (const r of p.rules) {
      const row = el("tr", null, r.decision && r.decision.verdict === "rejected" ? "withheld" : undefined);
      const cell = el("td"); cell.append(el("div", r.text));
      if (r.decision && r.decision.verdict === "rejected") cell.append(el("div", "withheld: export writes the policy without this rule", "flag"));
      if (r.reviewBeforeAllowing) cell.append(el("div", "review before allowing: every edge behind this rule scored anomalous", "flag"));
      const details = el("details"); details.append(el("summary", r.edges + " observed edges"));
      const list = el("ul"); for (const c of r.connectionsSeen) list.append(el("li", c)); details.append(list);
      cell.append(details);
      row.append(cell, el("td", r.connections), el("td", r.firstSeen || "-"), el("td", r.lastSeen || "-"), el("td", r.sourcePods),
        el("td", Object.entries(r.verdicts).map(([k, v]) => k + " " + v).join(", ")));
      const act = el("td"); act.append(actions(p, r)); row.append(act);
      table.append(row);
    }
    card.append(table);
  }
  if (p.deployedWouldBreak && p.workload) card.append(deployedBreaks(p.deployedWouldBreak));
  const yaml = el("details"); yaml.append(el("summary", "YAML as exported"), el("pre", p.yaml));
  card.append(yaml);
  return card;
}

async function load() {
  let data;
  try {
    const response = await fetch("/api/review");
    if (!response.ok) throw new Error("HTTP " + response.status);
    data = await response.json();
  } catch (e) { $("summary").textContent = "Could not load the suggestion: " + e.message; return; }
  const content = $("content");
  content.replaceChildren();
  const v = data.verification;
  $("summary").textContent = data.namespaces.length === 0
    ? "No suggestions yet."
    : `Format ${data.format}; window ${data.from} .. ${data.to}; connections covered ${v.connectionsCovered}/${v.connectionsObserved}; exposure ${data.exposure.before} -> ${data.exposure.after}. ${data.wouldBreak}`;
  if (data.namespaces.length === 0) {
    const empty = el("div", null, "empty");
    empty.append(el("h2", "Nothing observed yet"),
      el("p", "Inference suggests policies from the connections it observes. Configure a Hubble relay or a Kafka topic (see /api/status for the ingesters' state), let it run, then come back: suggestions appear here per namespace and workload."));
    content.append(empty);
  }
  for (const ns of data.namespaces) {
    const section = el("section", null, "ns");
    section.append(el("h2", "Namespace " + ns.name));
    for (const p of ns.policies) section.append(renderPolicy(p));
    content.append(section);
  }
  const gaps = $("gaps"); gaps.replaceChildren();
  // parse errors and the diff's caveats (no cluster snapshot: named ports match nothing, ...) next to the gaps
  const deployedErrors = data.deployed ? data.deployed.errors.concat(data.deployed.notes).map((e) => "deployed policies: " + e) : [];
  const all = data.gaps.concat(data.uncovered.map((u) => "not expressible: " + u), deployedErrors);
  if (all.length === 0) gaps.append(el("li", "None recorded."));
  for (const g of all) gaps.append(el("li", g));
  $("export").disabled = !data.exportConfigured;
  $("export").title = data.exportConfigured ? "" : "set export.repo in the config to export from the page";
}

async function exportNow() {
  if (!token()) { say("Enter the write token first."); $("token").focus(); return; }
  try {
    const r = await post("/api/export");
    say(r.unchanged ? `Branch ${r.branch}: unchanged.` : `Branch ${r.branch}: commit ${r.commit.slice(0, 12)} (${r.added.length} added, ${r.changed.length} changed, ${r.removed.length} removed). Next: ${r.next.join(" ; ")}`);
  } catch (e) { say("Export failed: " + e.message); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("token").value = sessionStorage.getItem("inference-token") || "";
  $("token").addEventListener("change", () => sessionStorage.setItem("inference-token", token()));
  $("export").addEventListener("click", exportNow);
  load();
});
