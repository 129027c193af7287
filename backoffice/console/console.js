// The review console: plain DOM, no build step, talking only to /backoffice/graphql. The session
// lives in an HttpOnly cookie this script never sees; it proves itself with X-Devhub-Console.
"use strict";

(function () {
  const ENDPOINT = "/backoffice/graphql";
  const HEADERS = { "content-type": "application/json", "x-devhub-console": "1" };
  const PAGE_SIZE = 20;
  const main = document.getElementById("main");
  let viewer = null;
  let rejectionCodes = [];
  // Counts sign-ins and sign-outs: an answer to a request sent before the last one belongs to a
  // page that is gone (a queue still loading when the reviewer signed out) and draws nothing.
  let session = 0;

  // ---- small helpers -------------------------------------------------------------------------

  // Builds an element; strings become text nodes (nothing is ever parsed as HTML).
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else if (value === true) element.setAttribute(name, "");
      else element.setAttribute(name, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";
  }

  function waited(iso) {
    const minutes = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} days`;
  }

  const KIND_NAMES = { LISTING: "New app", REVISION: "Revision" };

  class SignedOut extends Error {}

  async function graphql(query, variables) {
    const asked = session;
    let body = null;
    let failed = null;
    try {
      body = await answerTo(query, variables);
    } catch (error) {
      failed = error;
    }
    if (asked !== session) throw new SignedOut();  // whatever the answer, the page that asked is gone
    if (failed) throw failed;
    if (body.errors && body.errors.length) {
      const code = body.errors[0].extensions && body.errors[0].extensions.code;
      if (code === "UNAUTHENTICATED") {
        showSignIn("Your session has ended: sign in again.");
        throw new SignedOut();
      }
      throw new Error(body.errors[0].message);
    }
    return body.data;
  }

  async function answerTo(query, variables) {
    let response;
    try {
      response = await fetch(ENDPOINT, {
        method: "POST",
        headers: HEADERS,
        credentials: "same-origin",
        body: JSON.stringify({ query, variables: variables || {} }),
      });
    } catch (error) {
      throw new Error("The service cannot be reached. Check your connection and try again.");
    }
    try {
      return await response.json();
    } catch (error) {
      throw new Error(`The service answered HTTP ${response.status}.`);
    }
  }

  function show(title, ...content) {
    document.title = `${title} · DevHub review console`;
    const parts = content.flat(Infinity).filter((part) => part !== null && part !== undefined && part !== false);
    main.replaceChildren(h("h1", { id: "page-title" }, title), ...parts);
    main.focus();
  }

  function flash(message, ok) {
    const box = h("div", { id: "outcome", class: `flash ${ok ? "ok" : "error"}`, role: ok ? "status" : "alert" }, message);
    main.querySelector("h1").after(box);
    return box;
  }

  function failure(error) {
    if (error instanceof SignedOut) return;
    show("Something went wrong", h("p", { role: "alert" }, error.message),
      h("p", {}, h("a", { href: "#/queue" }, "Back to the review queue")));
  }

  function userErrorText(userErrors) {
    return userErrors.map((e) => e.message).join(" ");
  }

  const dialog = document.getElementById("confirm");

  // Asks before a decision; resolves true when the reviewer confirms.
  function confirmAction(title, text, action, danger) {
    document.getElementById("confirm-title").textContent = title;
    document.getElementById("confirm-text").textContent = text;
    const yes = document.getElementById("confirm-yes");
    yes.textContent = action;
    yes.className = danger ? "danger" : "";
    dialog.returnValue = "";
    dialog.showModal();
    yes.focus();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    });
  }

  // ---- session -------------------------------------------------------------------------------

  function setChrome(signedIn) {
    document.getElementById("nav").hidden = !signedIn;
    document.getElementById("who").hidden = !signedIn;
    document.getElementById("who-name").textContent = signedIn ? `Signed in as ${viewer.name} (${viewer.email})` : "";
  }

  function showSignIn(notice) {
    session += 1;
    viewer = null;
    stopFollowing();
    setChrome(false);
    const problem = h("p", { id: "sign-in-problem", role: "alert" });
    const form = h("form", { novalidate: true },
      h("label", { for: "email" }, "Email"),
      h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true }),
      h("label", { for: "password" }, "Password"),
      h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign in")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      const email = form.email.value.trim();
      const password = form.password.value;
      if (!email || !password) {
        problem.textContent = "Enter your email address and password.";
        return;
      }
      let response;
      try {
        response = await fetch("/backoffice/session", {
          method: "POST", headers: HEADERS, credentials: "same-origin",
          body: JSON.stringify({ email, password }),
        });
      } catch (error) {
        problem.textContent = "The service cannot be reached. Check your connection and try again.";
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (response.status === 403) {
        showRefusal(email, body.error ? body.error.message : "");
        return;
      }
      if (!response.ok) {
        problem.textContent = body.error ? body.error.message : `The service answered HTTP ${response.status}.`;
        return;
      }
      await start();
    });
    show("Sign in to the review console",
      notice ? h("p", { role: "status" }, notice) : null,
      h("p", { class: "muted" }, "For the marketplace's reviewers: sign in with your DevHub account."),
      problem, form);
    form.email.focus();  // the page starts where the reviewer types
  }

  function showRefusal(email, message) {
    setChrome(false);
    show("This console is for reviewers only",
      h("p", { role: "alert" }, `${email} is not a marketplace reviewer, so it cannot use the review console. ${message}`),
      h("p", {}, "If you review apps for the marketplace, ask an administrator to grant you reviewer access (the devhub-gql reviewers add command), then sign in again."),
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => showSignIn() }, "Sign in with another account")));
  }

  document.getElementById("sign-out").addEventListener("click", async () => {
    await fetch("/backoffice/session", { method: "DELETE", headers: HEADERS, credentials: "same-origin" }).catch(() => null);
    history.replaceState(null, "", "#/queue");
    showSignIn("You are signed out.");
  });

  // ---- live updates ---------------------------------------------------------------------------

  // One WebSocket (graphql-transport-ws) to /backoffice/graphql for as long as the reviewer is
  // signed in: the session cookie goes with the handshake. Each page says what queue events mean
  // to it through onQueueEvent.
  const QUEUE_EVENTS = `subscription QueueEvents {
    reviewQueueEvents { change submission { id status claimedBy { id name } snapshot { name } } }
  }`;
  const CHANGES = {
    SUBMITTED: "entered the queue", WITHDRAWN: "was withdrawn by its developer",
    CLAIMED: "was claimed", RELEASED: "was released", DECIDED: "was decided",
  };
  let socket = null;
  let onQueueEvent = null;
  let deciding = null;  // the submission this reviewer's own decision is on its way for

  function describe(event) {
    const who = event.change === "CLAIMED" && event.submission.claimedBy
      ? ` by ${event.submission.claimedBy.id === viewer.id ? "you" : event.submission.claimedBy.name}` : "";
    return `Just now: ${event.submission.snapshot.name} ${CHANGES[event.change]}${who}.`;
  }

  function followQueue() {
    if (socket) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${ENDPOINT}`, "graphql-transport-ws");
    const send = (message) => socket.send(JSON.stringify(message));
    socket.addEventListener("open", () => send({ type: "connection_init", payload: {} }));
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "connection_ack") send({ id: "queue", type: "subscribe", payload: { query: QUEUE_EVENTS } });
      else if (data.type === "ping") send({ type: "pong" });
      else if (data.type === "next" && data.payload.data && onQueueEvent) onQueueEvent(data.payload.data.reviewQueueEvents);
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      // A restarted service (1012) or a lost network: connect again. Refused (4403): the session
      // has ended, and the next request will say so.
      if (viewer && event.code !== 4403) setTimeout(followQueue, 2000);
    });
  }

  function stopFollowing() {
    const closing = socket;
    socket = null;
    if (closing) closing.close(1000);
  }

  // ---- the queue -----------------------------------------------------------------------------

  const QUEUE = `query Queue($first: Int, $after: String, $kind: SubmissionKind, $mine: Boolean!) {
    reviewQueue(first: $first, after: $after, kind: $kind, claimedByMe: $mine) {
      nodes { id kind submittedAt claimedBy { id name } claimedUntil snapshot { name } developer { name } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

  async function queueListing(params) {
    const kind = params.get("kind") || "";
    const after = params.get("after");
    const mine = params.get("mine") === "1";
    const data = await graphql(QUEUE, { first: PAGE_SIZE, after, kind: kind || null, mine });
    const page = data.reviewQueue;
    const rows = page.nodes.map((s) => h("tr", {},
      h("td", {}, h("a", { href: `#/submissions/${encodeURIComponent(s.id)}` }, s.snapshot.name)),
      h("td", {}, s.developer.name),
      h("td", {}, KIND_NAMES[s.kind]),
      h("td", {}, waited(s.submittedAt)),
      h("td", {}, s.claimedBy ? (s.claimedBy.id === viewer.id ? "You" : s.claimedBy.name) : "Nobody")));
    const table = rows.length
      ? h("table", {},
        h("caption", {}, "Submissions waiting for a decision, oldest first"),
        h("thead", {}, h("tr", {}, ["App", "Developer", "Kind", "Waiting", "Claimed by"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows))
      : h("p", {}, "Nothing is waiting here.");
    const pager = h("nav", { class: "pager", "aria-label": "Queue pages" });
    if (after) {
      const first = new URLSearchParams(params);
      first.delete("after");
      pager.append(h("a", { href: `#/queue?${first}` }, "First page"));
    }
    if (page.pageInfo.hasNextPage) {
      const next = new URLSearchParams(params);
      next.set("after", page.pageInfo.endCursor);
      pager.append(h("a", { href: `#/queue?${next}` }, "Next page"));
    }
    return [table, pager];
  }

  async function showQueue(params) {
    const kind = params.get("kind") || "";
    const mine = params.get("mine") === "1";
    const listing = h("div", { id: "queue-listing" }, await queueListing(params));
    const news = h("p", { id: "queue-news", role: "status" });
    const kindSelect = h("select", { id: "kind", name: "kind" },
      h("option", { value: "" }, "All submissions"),
      h("option", { value: "LISTING" }, "New apps"),
      h("option", { value: "REVISION" }, "Revisions"));
    kindSelect.value = kind;
    const mineBox = h("input", { type: "checkbox", id: "mine", name: "mine", checked: mine });
    const filters = h("form", { class: "filters", "aria-label": "Filter the queue" },
      h("div", {}, h("label", { for: "kind" }, "Kind"), kindSelect),
      h("div", {}, mineBox, h("label", { for: "mine", class: "inline" }, "Claimed by me")),
      h("button", { type: "submit", class: "secondary" }, "Filter"));
    filters.addEventListener("submit", (event) => {
      event.preventDefault();
      const query = new URLSearchParams();
      if (kindSelect.value) query.set("kind", kindSelect.value);
      if (mineBox.checked) query.set("mine", "1");
      location.hash = `#/queue?${query}`;
    });
    show("Review queue", filters, news, listing);
    // Live: the table follows the queue in place (the focus stays where it is) and says why.
    onQueueEvent = async (event) => {
      news.textContent = describe(event);
      listing.replaceChildren(...(await queueListing(params)));
    };
  }

  // ---- one submission ------------------------------------------------------------------------

  const SUBMISSION = `query Submission($id: ID!) {
    submission(id: $id) {
      id kind status submittedAt decidedAt note reasons { code message }
      claimedBy { id name email } claimedUntil
      developer { name }
      app { id name status }
      snapshot {
        name summary description iconUrl listingImageUrls videoUrl setupInstructions websiteUrl
        termsOfServiceUrl privacyPolicyUrl pricingUrl supportUrl documentationUrl supportEmail
        callbackUrl contactEmail installationUrl useCase testAccountNotes partnerTermsAccepted
        category scopeDetails { name label } extensions { kind name url locations }
      }
      diff {
        scopesAdded scopesRemoved fields { field old new }
        extensionsAdded { kind name } extensionsRemoved { kind name }
        extensionsChanged { extension { kind name } fields { field old new } }
      }
      checks { id passed message }
      earlierDecisions { kind status decidedAt note reasons { code message } }
    }
    codes: __type(name: "RejectionCode") { enumValues { name description } }
  }`;

  const AUDIT = `query Audit($appId: ID!) {
    auditLog(appId: $appId, first: 100) { nodes { action fromStatus toStatus reason at actor { name } } }
  }`;

  const CLAIM = `mutation Claim($id: ID!) { claimSubmission(input: {id: $id}) { userErrors { message } } }`;
  const RELEASE = `mutation Release($id: ID!) { releaseSubmission(input: {id: $id}) { userErrors { message } } }`;
  const APPROVE = `mutation Approve($input: ApproveSubmissionInput!) {
    approveSubmission(input: $input) { submission { status } userErrors { field code message } }
  }`;
  const REJECT = `mutation Reject($input: RejectSubmissionInput!) {
    rejectSubmission(input: $input) { submission { status } userErrors { field code message } }
  }`;

  const URL_FIELDS = [
    ["websiteUrl", "Website"], ["termsOfServiceUrl", "Terms of service"], ["privacyPolicyUrl", "Privacy policy"],
    ["pricingUrl", "Pricing"], ["supportUrl", "Support"], ["documentationUrl", "Documentation"],
    ["videoUrl", "Video"], ["callbackUrl", "Callback URL"], ["installationUrl", "Installation URL"],
    ["supportEmail", "Support email"], ["contactEmail", "Contact email"],
  ];

  // Listing images are shown as the marketplace shows them, without a referrer; URLs are text only.
  function listingCard(snapshot) {
    return h("section", { class: "listing", "aria-labelledby": "listing-name" },
      h("header", {},
        snapshot.iconUrl ? h("img", { class: "icon", src: snapshot.iconUrl, alt: `${snapshot.name} icon`, referrerpolicy: "no-referrer" }) : null,
        h("div", {}, h("h3", { id: "listing-name" }, snapshot.name), h("p", {}, snapshot.summary || "No summary."))),
      snapshot.listingImageUrls.length
        ? h("div", { class: "shots" }, snapshot.listingImageUrls.map((url, i) =>
          h("img", { src: url, alt: `Screenshot ${i + 1}`, referrerpolicy: "no-referrer" })))
        : null,
      h("h4", {}, "Description"),
      h("p", { class: "text" }, snapshot.description || "No description."),
      snapshot.setupInstructions ? [h("h4", {}, "Setup instructions"), h("p", { class: "text" }, snapshot.setupInstructions)] : null);
  }

  function facts(pairs) {
    return h("dl", { class: "facts" }, pairs.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  }

  function diffTable(diff) {
    const rows = [];
    for (const change of diff.fields) rows.push([change.field, change.old || "—", change.new || "—"]);
    for (const scope of diff.scopesAdded) rows.push(["Scope added", "—", scope]);
    for (const scope of diff.scopesRemoved) rows.push(["Scope removed", scope, "—"]);
    for (const ext of diff.extensionsAdded) rows.push(["Extension added", "—", `${ext.name || ext.kind} (${ext.kind})`]);
    for (const ext of diff.extensionsRemoved) rows.push(["Extension removed", `${ext.name || ext.kind} (${ext.kind})`, "—"]);
    for (const change of diff.extensionsChanged) {
      for (const f of change.fields) {
        rows.push([`${change.extension.name || change.extension.kind}: ${f.field}`, f.old || "—", f.new || "—"]);
      }
    }
    return h("table", { id: "revision-diff" },
      h("caption", {}, "What this revision changes, beside the live app"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Live app"), h("th", { scope: "col" }, "This revision"))),
      h("tbody", {}, rows.map(([field, old, now]) => h("tr", {},
        h("th", { scope: "row" }, field), h("td", { class: "old" }, old), h("td", { class: "new" }, now)))));
  }

  function decisionSummary(s) {
    return [
      h("p", {}, `${KIND_NAMES[s.kind]}, ${s.status.toLowerCase()} on ${when(s.decidedAt)}.`),
      s.note ? h("p", {}, `Note: ${s.note}`) : null,
      s.reasons.length ? h("ul", {}, s.reasons.map((r) => h("li", {}, `${r.code}: ${r.message}`))) : null,
    ];
  }

  function reasonRow(index) {
    const codeId = `reason-code-${index}`;
    const messageId = `reason-message-${index}`;
    const row = h("div", { class: "reason" },
      h("label", { for: codeId }, `Reason ${index} code`),
      h("select", { id: codeId, class: "reason-code" }, rejectionCodes.map((c) => h("option", { value: c.name }, `${c.name} — ${c.description}`))),
      h("label", { for: messageId }, `Reason ${index} message`),
      h("textarea", { id: messageId, class: "reason-message", maxlength: 1000 }));
    return row;
  }

  // A decision the service refused; the commonest is another reviewer deciding first.
  function refused(verb, userErrors) {
    if (userErrors.some((e) => e.code === "ALREADY_DECIDED")) {
      return { message: `Not ${verb}: another reviewer decided this submission first. Their decision is shown below.`, ok: false };
    }
    return { message: `Not ${verb}: ${userErrorText(userErrors)}`, ok: false };
  }

  function decisionForms(s, rerender) {
    const mine = s.claimedBy && s.claimedBy.id === viewer.id;
    const theirs = s.claimedBy && !mine;
    if (!s.claimedBy) {
      return [h("p", {}, "Claim the submission to decide it: other reviewers then see that you are on it.")];
    }
    const override = theirs ? h("input", { type: "checkbox", id: "override" }) : null;
    const overrideRow = theirs
      ? h("p", {}, override, h("label", { for: "override", class: "inline" },
        `Decide over ${s.claimedBy.name}'s claim (the audit log records it)`))
      : null;
    const problem = h("p", { role: "alert", id: "decision-problem" });

    const approve = h("form", { "aria-labelledby": "approve-title" },
      h("h3", { id: "approve-title" }, "Approve"),
      h("label", { for: "approve-note" }, "Note for the developer (optional)"),
      h("textarea", { id: "approve-note", maxlength: 1000 }),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Approve…")));
    approve.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      if (theirs && !override.checked) {
        problem.textContent = `${s.claimedBy.name} has claimed this submission: tick the override to decide anyway.`;
        return;
      }
      const what = s.kind === "LISTING" ? "The app becomes approved and its developer can publish it." : "The developer can then make the revision live.";
      if (!await confirmAction(`Approve ${s.snapshot.name}?`, what, "Approve")) return;
      const note = approve.querySelector("#approve-note").value.trim();
      deciding = s.id;  // its own event is not news, until the page shows the outcome
      try {
        const data = await graphql(APPROVE, { input: { id: s.id, note: note || null, override: Boolean(theirs) } });
        const outcome = data.approveSubmission;
        await rerender(outcome.userErrors.length
          ? refused("approved", outcome.userErrors)
          : { message: `Approved: ${s.snapshot.name}. The developer has been told.`, ok: true });
      } finally {
        deciding = null;
      }
    });

    const reasons = h("div", { id: "reasons" }, reasonRow(1));
    const reject = h("form", { "aria-labelledby": "reject-title", novalidate: true },
      h("h3", { id: "reject-title" }, "Reject"),
      h("fieldset", {}, h("legend", {}, "Reasons the developer will read"), reasons,
        h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary", onclick: () => {
            const row = reasonRow(reasons.children.length + 1);
            reasons.append(row);
            row.querySelector("select").focus();
          } }, "Add a reason"))),
      h("label", { for: "reject-note" }, "Note for the developer (optional)"),
      h("textarea", { id: "reject-note", maxlength: 1000 }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "Reject…")));
    reject.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      if (theirs && !override.checked) {
        problem.textContent = `${s.claimedBy.name} has claimed this submission: tick the override to decide anyway.`;
        return;
      }
      const given = [...reasons.children].map((row) => ({
        code: row.querySelector(".reason-code").value,
        message: row.querySelector(".reason-message").value.trim(),
      })).filter((r) => r.message);
      if (!given.length) {
        problem.textContent = "Give at least one reason with a message: the developer needs to know what to fix.";
        reasons.querySelector(".reason-message").focus();
        return;
      }
      const count = given.length === 1 ? "1 reason" : `${given.length} reasons`;
      if (!await confirmAction(`Reject ${s.snapshot.name}?`, `The developer gets ${count} and can submit again.`, "Reject", true)) return;
      const note = reject.querySelector("#reject-note").value.trim();
      deciding = s.id;
      try {
        const data = await graphql(REJECT, { input: { id: s.id, reasons: given, note: note || null, override: Boolean(theirs) } });
        const outcome = data.rejectSubmission;
        await rerender(outcome.userErrors.length
          ? refused("rejected", outcome.userErrors)
          : { message: `Rejected: ${s.snapshot.name}, with ${count}. The developer has been told.`, ok: true });
      } finally {
        deciding = null;
      }
    });
    return [overrideRow, problem, approve, reject];
  }

  async function showSubmission(id, notice) {
    const data = await graphql(SUBMISSION, { id });
    const s = data.submission;
    rejectionCodes = data.codes.enumValues;
    const audit = await graphql(AUDIT, { appId: s.app.id });
    const rerender = (next) => showSubmission(id, next);
    const snapshot = s.snapshot;
    const mine = s.claimedBy && s.claimedBy.id === viewer.id;

    const claimText = !s.claimedBy
      ? "Nobody has claimed it."
      : mine ? `You have claimed it until ${when(s.claimedUntil)}.`
        : `${s.claimedBy.name} (${s.claimedBy.email}) has claimed it until ${when(s.claimedUntil)}.`;
    const claimButtons = s.status !== "PENDING" ? null : h("div", { class: "actions" },
      h("button", { type: "button", class: mine ? "" : "", onclick: async () => {
        const out = (await graphql(CLAIM, { id: s.id })).claimSubmission;
        await rerender(out.userErrors.length ? { message: userErrorText(out.userErrors), ok: false } : { message: "Claimed: it is yours to decide.", ok: true });
      } }, mine ? "Renew my claim" : "Claim"),
      mine ? h("button", { type: "button", class: "secondary", onclick: async () => {
        const out = (await graphql(RELEASE, { id: s.id })).releaseSubmission;
        await rerender(out.userErrors.length ? { message: userErrorText(out.userErrors), ok: false } : { message: "Released: another reviewer can take it.", ok: true });
      } }, "Release") : null);

    show(`${KIND_NAMES[s.kind]}: ${snapshot.name}`,
      facts([
        ["Developer", s.developer.name],
        ["Submitted", `${when(s.submittedAt)} (waiting ${waited(s.submittedAt)})`],
        ["Status", s.status],
        ["App now", `${s.app.name} (${s.app.status})`],
      ]),
      h("p", {}, h("a", { href: `#/apps/${encodeURIComponent(s.app.id)}` }, "The app's page: fix its listing text, unpublish it")),
      h("h2", {}, "Decision"),
      s.status === "PENDING"
        ? [h("p", { id: "claim-status" }, claimText), claimButtons, decisionForms(s, rerender)]
        : decisionSummary(s),
      s.kind === "REVISION" && s.diff ? [h("h2", {}, "Changes in this revision"), diffTable(s.diff)] : null,
      h("h2", {}, "The listing as submitted"),
      listingCard(snapshot),
      h("h3", {}, "Links and addresses (as text)"),
      facts(URL_FIELDS.map(([key, label]) => [label, snapshot[key] || "—"])),
      h("h3", {}, "For reviewers"),
      facts([
        ["Use case", snapshot.useCase || "—"],
        ["Test account", snapshot.testAccountNotes || "—"],
        ["Category", snapshot.category || "—"],
        ["Partner terms", snapshot.partnerTermsAccepted ? "Accepted" : "Not accepted"],
      ]),
      h("h2", {}, "Scopes asked for"),
      h("ul", {}, snapshot.scopeDetails.map((scope) => h("li", {}, `${scope.label} `, h("span", { class: "muted" }, `(${scope.name})`)))),
      snapshot.extensions.length ? [h("h2", {}, "Extensions"), h("ul", {}, snapshot.extensions.map((e) =>
        h("li", {}, `${e.name || e.kind} (${e.kind}) — ${e.url}${e.locations.length ? `, in ${e.locations.join(", ")}` : ""}`)))] : null,
      h("h2", {}, "Automated checks"),
      h("ul", { id: "checks" }, s.checks.map((check) => h("li", {},
        h("span", { class: `badge ${check.passed ? "pass" : "fail"}` }, check.passed ? "Passed" : "Failed"),
        ` ${check.id}: ${check.message}`))),
      h("h2", {}, "Earlier decisions on this app"),
      s.earlierDecisions.length
        ? h("ul", {}, s.earlierDecisions.map((d) => h("li", {}, decisionSummary(d))))
        : h("p", {}, "None: this is the app's first submission."),
      h("h2", {}, "Audit log"),
      auditTable(audit.auditLog.nodes));
    if (notice) flash(notice.message, notice.ok);
    // Live: another reviewer's claim or decision is told at once, without losing what is typed.
    onQueueEvent = (event) => {
      if (event.submission.id !== s.id || s.status !== "PENDING") return;
      const claimer = event.submission.claimedBy;
      if (event.change === "CLAIMED" && claimer && claimer.id !== viewer.id) {
        liveNotice(`${claimer.name} claimed this submission just now.`);
        document.getElementById("claim-status").textContent = `${claimer.name} has claimed it.`;
      } else if (event.change === "DECIDED" && deciding !== s.id) {
        liveNotice(`Another reviewer decided this submission just now: ${event.submission.status.toLowerCase()}.`);
      } else if (event.change === "WITHDRAWN") {
        liveNotice("Its developer withdrew this submission just now.");
      }
    };
  }

  function liveNotice(message) {
    const box = document.getElementById("live-notice") || h("div", { id: "live-notice", class: "flash error", role: "alert" });
    box.textContent = message;
    main.querySelector("h1").after(box);
  }

  function auditTable(entries) {
    if (!entries.length) return h("p", {}, "Nothing recorded yet.");
    return h("table", { id: "audit-log" },
      h("caption", {}, "The app's history, oldest first"),
      h("thead", {}, h("tr", {}, ["When", "What", "From", "To", "Who", "Reason"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, entries.map((e) => h("tr", {},
        h("td", {}, when(e.at)), h("td", {}, e.action), h("td", {}, e.fromStatus || "—"),
        h("td", {}, e.toStatus || "—"), h("td", {}, e.actor ? e.actor.name : "System"),
        h("td", { class: "text" }, e.reason || "—")))));
  }

  // ---- apps: listing text and unpublishing ----------------------------------------------------

  const APPS = `query Apps($first: Int, $after: String, $search: String) {
    apps(first: $first, after: $after, search: $search) {
      nodes { id name status company { name } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  const APP = `query App($id: ID!) {
    app(id: $id) { id name status summary description company { name } currentSubmission { id } }
    auditLog(appId: $id, first: 100) { nodes { action fromStatus toStatus reason at actor { name } } }
  }`;
  const EDIT = `mutation Edit($input: EditListingTextInput!) {
    editListingText(input: $input) { app { name } userErrors { field message } }
  }`;
  const UNPUBLISH = `mutation Unpublish($input: UnpublishAppInput!) {
    unpublishApp(input: $input) { app { status } userErrors { field message } }
  }`;

  async function showApps(params) {
    const search = params.get("search") || "";
    const after = params.get("after");
    const page = (await graphql(APPS, { first: PAGE_SIZE, after, search: search || null })).apps;
    const box = h("input", { type: "search", id: "search", name: "search", value: search });
    const form = h("form", { class: "filters", role: "search", "aria-label": "Find apps" },
      h("div", {}, h("label", { for: "search" }, "Name contains"), box),
      h("button", { type: "submit", class: "secondary" }, "Search"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      location.hash = `#/apps?${new URLSearchParams(box.value.trim() ? { search: box.value.trim() } : {})}`;
    });
    const table = page.nodes.length
      ? h("table", {}, h("caption", {}, "Public apps in review, approved or published, by name"),
        h("thead", {}, h("tr", {}, ["App", "Status", "Developer"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, page.nodes.map((a) => h("tr", {},
          h("td", {}, h("a", { href: `#/apps/${encodeURIComponent(a.id)}` }, a.name)),
          h("td", {}, a.status), h("td", {}, a.company.name)))))
      : h("p", {}, "No app matches.");
    const pager = h("nav", { class: "pager", "aria-label": "App pages" });
    if (page.pageInfo.hasNextPage) {
      const next = new URLSearchParams(params);
      next.set("after", page.pageInfo.endCursor);
      pager.append(h("a", { href: `#/apps?${next}` }, "Next page"));
    }
    show("Apps", form, table, pager);
  }

  async function showApp(id, notice) {
    const data = await graphql(APP, { id });
    const app = data.app;
    const rerender = (next) => showApp(id, next);
    const editable = ["IN_REVIEW", "APPROVED", "PUBLISHED"].includes(app.status);

    const edit = h("form", { "aria-labelledby": "edit-title", novalidate: true },
      h("h2", { id: "edit-title" }, "Fix the listing's text"),
      h("p", { class: "muted" }, "For typos and small corrections: the developer is told by email, and the audit log keeps the before and after."),
      h("label", { for: "edit-name" }, "Name"),
      h("input", { type: "text", id: "edit-name", value: app.name, maxlength: 100 }),
      h("label", { for: "edit-summary" }, "Summary"),
      h("input", { type: "text", id: "edit-summary", value: app.summary || "", maxlength: 150 }),
      h("label", { for: "edit-description" }, "Description"),
      h("textarea", { id: "edit-description", rows: 6, maxlength: 1500 }, app.description || ""),
      h("label", { for: "edit-reason" }, "What you fixed (told to the developer)"),
      h("textarea", { id: "edit-reason", maxlength: 1000 }),
      h("p", { role: "alert", id: "edit-problem" }),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save the fix")));
    edit.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = (field) => edit.querySelector(`#edit-${field}`).value;
      const reason = value("reason").trim();
      if (!reason) {
        edit.querySelector("#edit-problem").textContent = "Say what you fixed: the developer reads it.";
        edit.querySelector("#edit-reason").focus();
        return;
      }
      const input = { appId: app.id, reason };
      if (value("name") !== app.name) input.name = value("name");
      if (value("summary") !== (app.summary || "")) input.summary = value("summary");
      if (value("description") !== (app.description || "")) input.description = value("description");
      const out = (await graphql(EDIT, { input })).editListingText;
      await rerender(out.userErrors.length
        ? { message: `Not saved: ${userErrorText(out.userErrors)}`, ok: false }
        : { message: "Saved: the listing's text is fixed and the developer has been told.", ok: true });
    });

    const unpublish = app.status !== "PUBLISHED" ? null : h("form", { "aria-labelledby": "unpublish-title", novalidate: true },
      h("h2", { id: "unpublish-title" }, "Unpublish"),
      h("p", { class: "muted" }, "The app leaves the marketplace; installations keep working."),
      h("label", { for: "unpublish-reason" }, "Reason (told to the developer)"),
      h("textarea", { id: "unpublish-reason", maxlength: 1000 }),
      h("p", { role: "alert", id: "unpublish-problem" }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "Unpublish…")));
    if (unpublish) {
      unpublish.addEventListener("submit", async (event) => {
        event.preventDefault();
        const reason = unpublish.querySelector("#unpublish-reason").value.trim();
        if (!reason) {
          unpublish.querySelector("#unpublish-problem").textContent = "Give a reason: the developer reads it.";
          unpublish.querySelector("#unpublish-reason").focus();
          return;
        }
        if (!await confirmAction(`Unpublish ${app.name}?`, "It leaves the marketplace at once.", "Unpublish", true)) return;
        const out = (await graphql(UNPUBLISH, { input: { appId: app.id, reason } })).unpublishApp;
        await rerender(out.userErrors.length
          ? { message: `Not unpublished: ${userErrorText(out.userErrors)}`, ok: false }
          : { message: `Unpublished: ${app.name} is no longer in the marketplace.`, ok: true });
      });
    }

    show(app.name,
      facts([["Status", app.status], ["Developer", app.company.name]]),
      app.currentSubmission
        ? h("p", {}, h("a", { href: `#/submissions/${encodeURIComponent(app.currentSubmission.id)}` }, "Its submission waiting for review"))
        : null,
      editable ? edit : h("p", {}, "Its listing text can be fixed once it is submitted, approved or published."),
      unpublish,
      h("h2", {}, "Audit log"),
      auditTable(data.auditLog.nodes));
    if (notice) flash(notice.message, notice.ok);
  }

  // ---- reported reviews ------------------------------------------------------------------------

  const REPORTED = `query Reported($after: String) {
    reportedReviews(first: 20, after: $after) {
      nodes {
        review { id stars title body authorName createdAt }
        appName authorEmail reports { reason createdAt } history { stars title body writtenAt }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  const HIDE = `mutation Hide($input: HideReviewInput!) { hideReview(input: $input) { userErrors { message } } }`;
  const KEEP = `mutation Keep($input: DismissReviewReportsInput!) { dismissReviewReports(input: $input) { userErrors { message } } }`;

  async function showReported(params, notice) {
    const after = params.get("after");
    const page = (await graphql(REPORTED, { after })).reportedReviews;
    const rerender = (next) => showReported(params, next);
    const items = page.nodes.map((item, index) => {
      const r = item.review;
      const reasonId = `hide-reason-${index}`;
      const titleId = `reported-${index}`;
      const form = h("form", { novalidate: true, "aria-labelledby": titleId },
        h("label", { for: reasonId }, "Reason for hiding (shown to the author)"),
        h("textarea", { id: reasonId, maxlength: 1000 }),
        h("p", { role: "alert" }),
        h("div", { class: "actions" },
          h("button", { type: "submit", class: "danger" }, "Hide the review"),
          h("button", { type: "button", class: "secondary", onclick: async () => {
            const out = (await graphql(KEEP, { input: { reviewId: r.id } })).dismissReviewReports;
            await rerender(out.userErrors.length ? { message: userErrorText(out.userErrors), ok: false } : { message: "Kept: its reports are closed.", ok: true });
          } }, "Keep the review")));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const reason = form.querySelector("textarea").value.trim();
        if (!reason) {
          form.querySelector("[role=alert]").textContent = "Give a reason: the author reads it.";
          form.querySelector("textarea").focus();
          return;
        }
        const out = (await graphql(HIDE, { input: { reviewId: r.id, reason } })).hideReview;
        await rerender(out.userErrors.length ? { message: userErrorText(out.userErrors), ok: false } : { message: "Hidden: the review left the listing.", ok: true });
      });
      return h("article", { class: "reported", "aria-labelledby": titleId },
        h("h2", { id: titleId }, `${item.appName}: ${r.stars} of 5 stars${r.title ? ` — ${r.title}` : ""}`),
        h("p", { class: "text" }, r.body || "(a rating without text)"),
        facts([["Author", `${r.authorName} (${item.authorEmail})`], ["Written", when(r.createdAt)]]),
        h("h3", {}, "Reports"),
        h("ul", {}, item.reports.map((report) => h("li", {}, `${when(report.createdAt)}: ${report.reason}`))),
        item.history.length ? [h("h3", {}, "Earlier versions"), h("ul", {}, item.history.map((v) =>
          h("li", {}, `${when(v.writtenAt)}: ${v.stars} stars${v.title ? `, ${v.title}` : ""}${v.body ? ` — ${v.body}` : ""}`)))] : null,
        form);
    });
    const pager = h("nav", { class: "pager", "aria-label": "Report pages" });
    if (page.pageInfo.hasNextPage) pager.append(h("a", { href: `#/reported?after=${encodeURIComponent(page.pageInfo.endCursor)}` }, "Next page"));
    show("Reported reviews", items.length ? items : h("p", {}, "No review is waiting for moderation."), pager);
    if (notice) flash(notice.message, notice.ok);
  }

  // ---- routing ---------------------------------------------------------------------------------

  function markCurrent(section) {
    for (const link of document.querySelectorAll("#nav a")) {
      if (link.getAttribute("href") === `#/${section}`) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async function route() {
    if (!viewer) return;
    const [path, query] = (location.hash.slice(1) || "/queue").split("?");
    const params = new URLSearchParams(query || "");
    const parts = path.split("/").filter(Boolean);
    markCurrent(parts[0] === "submissions" ? "queue" : parts[0]);
    onQueueEvent = null;
    try {
      if (parts[0] === "submissions" && parts[1]) await showSubmission(decodeURIComponent(parts[1]));
      else if (parts[0] === "apps" && parts[1]) await showApp(decodeURIComponent(parts[1]));
      else if (parts[0] === "apps") await showApps(params);
      else if (parts[0] === "reported") await showReported(params);
      else await showQueue(params);
    } catch (error) {
      failure(error);
    }
  }

  async function start() {
    try {
      viewer = (await graphql("query Viewer { viewer { id name email } }")).viewer;
    } catch (error) {
      if (!(error instanceof SignedOut)) failure(error);
      return;
    }
    setChrome(true);
    followQueue();
    await route();
  }

  window.addEventListener("hashchange", route);
  // A failure inside a form's handler (the service unreachable, say) still reaches the reviewer.
  window.addEventListener("unhandledrejection", (event) => failure(event.reason));
  start();
})();
