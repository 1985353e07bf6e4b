/**
 * Outgoing e-mail over SMTP (`SMTP_URL`). One transport per configuration, made on first use and
 * kept; every send is capped by timeouts, so a hanging mail server fails the job (which the queue
 * retries) instead of holding a worker slot. Services never send directly: they queue a
 * `mail.send` job in their own transaction (./queue.ts), and the worker calls `send` after commit.
 */
import type { createTransport, Transporter } from "nodemailer";
import type { SmtpConfig } from "../../config/index.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** What the worker sends through; tests may hand in their own (a real SMTP server is simpler). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Connect, greeting and each socket wait: a dead or stalled server fails within this. */
const SMTP_TIMEOUT_MS = 10_000;

export function smtpMailer(smtp: SmtpConfig): Mailer {
  // nodemailer is loaded at the first mail: a process that sends none never loads it.
  let transport: Promise<Transporter> | undefined;
  const connect = async () =>
    (await import("nodemailer")).createTransport({
      url: smtp.url,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    } as Parameters<typeof createTransport>[0]);
  return {
    async send(message) {
      transport ??= connect();
      await (await transport).sendMail({ from: smtp.from, ...message });
    },
  };
}

const mailers = new WeakMap<SmtpConfig, Mailer>();

/** The mailer of a configuration (created once); null when SMTP_URL is unset. */
export function mailerFor(config: { smtp: SmtpConfig | null }): Mailer | null {
  if (!config.smtp) return null;
  let mailer = mailers.get(config.smtp);
  if (!mailer) {
    mailer = smtpMailer(config.smtp);
    mailers.set(config.smtp, mailer);
  }
  return mailer;
}
