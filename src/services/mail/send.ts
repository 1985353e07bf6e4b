import type { SmtpConfig } from "../../config/index.ts";
import { logger } from "../../lib/logger.ts";
import { type MailMessage, mailerFor } from "./mailer.ts";

const log = logger("mail");

/**
 * Runs a `mail.send` job. Throws when the server refuses or cannot be reached (the queue retries
 * with backoff); a mail queued before SMTP_URL was removed is dropped with a warning.
 */
export async function sendQueuedMail(
  config: { smtp: SmtpConfig | null },
  message: MailMessage,
): Promise<void> {
  const mailer = mailerFor(config);
  if (!mailer) {
    log.warn("SMTP_URL is not set: a mail to {to} is dropped", { to: message.to });
    return;
  }
  await mailer.send({ to: message.to, subject: message.subject, text: message.text });
}
