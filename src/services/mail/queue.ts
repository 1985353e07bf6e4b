/**
 * Mail is a job: queued in the transaction of the change it tells of, sent by the worker after
 * commit, retried by the queue when the server is down. A user's request never waits on SMTP.
 */
import type { Tx } from "../../db/client.ts";
import { enqueueJob } from "../jobs.ts";
import type { MailMessage } from "./mailer.ts";

export async function queueMail(tx: Tx, message: MailMessage): Promise<void> {
  await enqueueJob(tx, { type: "mail.send", ...message });
}

/** The settings a service needs to write a mail with links back to this server. */
export interface MailSettings {
  publicUrl: string;
  host: string;
}

export function confirmationMail(s: MailSettings, to: string, token: string): MailMessage {
  const link = `${s.publicUrl}/auth/confirmation?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: `Confirm your e-mail address on ${s.host}`,
    text: `Welcome to ${s.host}!\n\nTo confirm your e-mail address and start using your account, follow this link:\n\n${link}\n\nIf you did not sign up, you can ignore this message.\n`,
  };
}

export function passwordResetMail(s: MailSettings, to: string, token: string): MailMessage {
  const link = `${s.publicUrl}/auth/password/edit?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: `Reset your password on ${s.host}`,
    text: `Someone asked to reset the password of your account on ${s.host}.\n\nTo choose a new password, follow this link within one hour:\n\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
  };
}

export function approvedMail(s: MailSettings, to: string, username: string): MailMessage {
  return {
    to,
    subject: `Your account on ${s.host} was approved`,
    text: `Your account @${username}@${s.host} was approved by the moderators. You can sign in now:\n\n${s.publicUrl}/auth/sign_in\n`,
  };
}

const ACTION_WORDS: Record<string, string> = {
  none: "The moderators of this server sent you a warning.",
  disable: "The moderators of this server disabled the login of your account.",
  sensitive: "The moderators of this server marked the media of your account as sensitive.",
  silence:
    "The moderators of this server limited your account: only your followers see your posts.",
  suspend: "The moderators of this server suspended your account.",
};

export function moderationMail(
  s: MailSettings,
  to: string,
  username: string,
  action: string,
): MailMessage {
  return {
    to,
    subject: `A moderation action on your account on ${s.host}`,
    text: `${ACTION_WORDS[action] ?? ACTION_WORDS.none}\n\nAccount: @${username}@${s.host}\n`,
  };
}
