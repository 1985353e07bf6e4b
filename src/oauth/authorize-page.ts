/**
 * The HTML of the OAuth authorization flow: small, no scripts, works with a screen reader and
 * with a password manager (labelled fields, autocomplete hints). Every value is escaped.
 */

import { escapeHtml } from "../lib/html.ts";

/** What each scope lets an app do, in words a user can judge. */
const SCOPE_LABELS: Record<string, string> = {
  read: "Read all your account's data",
  write: "Change all your account's data (post, follow, edit your profile…)",
  follow: "Follow, block and mute accounts, and see who you follow, block and mute",
  push: "Receive your push notifications",
  profile: "See your profile (name and picture) only",
};

function scopeLabel(scope: string): string {
  const known = SCOPE_LABELS[scope];
  if (known) return known;
  const [verb, what] = scope.split(":");
  return `${verb === "read" ? "Read" : "Change"} your ${what.replace(/_/g, " ")}`;
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1b1d21}
main{max-width:26rem;margin:0 auto;background:#fff;padding:1.5rem;border-radius:.5rem;border:1px solid #d6d9de}
h1{font-size:1.3rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #8a909a;border-radius:.25rem}
.actions{display:flex;gap:.5rem;margin-top:1.25rem}
button{font:inherit;padding:.5rem 1rem;border-radius:.25rem;border:1px solid #2b5fd9;cursor:pointer}
button.primary{background:#2b5fd9;color:#fff}
button.secondary{background:#fff;color:#2b5fd9}
.error{background:#fdecec;border:1px solid #d93025;padding:.5rem .75rem;border-radius:.25rem}
code{display:block;word-break:break-all;font-size:1.1rem;padding:.75rem;background:#f0f1f4;border-radius:.25rem}
fieldset{border:0;padding:0;margin:0}
legend{margin-bottom:.5rem}
label.choice{font-weight:400;display:flex;gap:.4rem;align-items:baseline;padding:.4rem 0}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface AuthorizePageInput {
  /** Shown as "… on {host}", so the user knows which server asks for the password. */
  host: string;
  appName: string;
  appWebsite: string | null;
  scopes: string[];
  /** Posted back as hidden fields: the OAuth parameters and the CSRF token. */
  hidden: Record<string, string | undefined>;
  /** Pre-filled after a failed attempt. */
  username?: string;
  error?: string;
}

/** The login-and-consent form; POSTs to /oauth/authorize with everything it was given. */
export function authorizePage(input: AuthorizePageInput): string {
  const app = input.appWebsite
    ? `<a href="${escapeHtml(input.appWebsite)}" rel="noopener noreferrer">${escapeHtml(input.appName)}</a>`
    : escapeHtml(input.appName);
  const error = input.error
    ? `<p class="error" role="alert" id="form-error">${escapeHtml(input.error)}</p>`
    : "";
  const described = input.error ? ` aria-describedby="form-error"` : "";
  const hidden = Object.entries(input.hidden)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n");
  const scopes = input.scopes.map(
    (s) => `<li>${escapeHtml(scopeLabel(s))} <small>(${escapeHtml(s)})</small></li>`,
  );
  return layout(
    `Authorize ${input.appName}`,
    `<h1>Authorize ${escapeHtml(input.appName)}?</h1>
<p>${app} wants to use your account on ${escapeHtml(input.host)}. It will be able to:</p>
<ul>
${scopes.join("\n")}
</ul>
${error}
<form method="post" action="/oauth/authorize"${described}>
${hidden}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(input.username ?? "")}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions">
<button type="submit" class="primary" name="decision" value="approve">Authorize</button>
<button type="submit" class="secondary" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>`,
  );
}

/** One account the login may hand to the app, as the chooser lists it. */
export interface AccountChoiceItem {
  id: string;
  /** `@name` as shown (local accounts: no host). */
  acct: string;
  displayName: string;
  role: "self" | "owner" | "editor" | "analyst";
}

const ROLE_LABELS: Record<AccountChoiceItem["role"], string> = {
  self: "your own account",
  owner: "owner",
  editor: "editor: may post",
  analyst: "analyst: may only read",
};

export interface AccountChoicePageInput {
  host: string;
  appName: string;
  accounts: AccountChoiceItem[];
  /** The OAuth parameters, the CSRF token and the signed ticket (never the password). */
  hidden: Record<string, string | undefined>;
  error?: string;
}

/** Step two for a login on a team: which account the app acts as (one token per account). */
export function accountChoicePage(input: AccountChoicePageInput): string {
  const error = input.error
    ? `<p class="error" role="alert" id="form-error">${escapeHtml(input.error)}</p>`
    : "";
  const hidden = Object.entries(input.hidden)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n");
  const choices = input.accounts.map((a, i) => {
    const name = a.displayName ? `${escapeHtml(a.displayName)} ` : "";
    return `<label class="choice"><input type="radio" name="account_id" value="${escapeHtml(a.id)}"${i === 0 ? " checked" : ""}> ${name}<span>@${escapeHtml(a.acct)}</span> <small>(${escapeHtml(ROLE_LABELS[a.role])})</small></label>`;
  });
  const question = `Which account should ${input.appName} use?`;
  return layout(
    question,
    `<h1>${escapeHtml(question)}</h1>
${error}
<form method="post" action="/oauth/authorize">
${hidden}
<fieldset>
<legend>Accounts you may use on ${escapeHtml(input.host)}; the app gets only the one you choose</legend>
${choices.join("\n")}
</fieldset>
<div class="actions">
<button type="submit" class="primary" name="decision" value="approve">Authorize</button>
<button type="submit" class="secondary" name="decision" value="deny">Deny</button>
</div>
</form>`,
  );
}

/** An error the user must see (and the client must not be told): bad client, bad redirect_uri. */
export function messagePage(title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>`,
  );
}

/** The out-of-band flow: the user copies the code into the app by hand. */
export function oobCodePage(appName: string, code: string): string {
  return layout(
    "Authorization code",
    `<h1>Authorization code</h1>
<p>Copy this code and paste it into ${escapeHtml(appName)}:</p>
<code id="code">${escapeHtml(code)}</code>`,
  );
}
