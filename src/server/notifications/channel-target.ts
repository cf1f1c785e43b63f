/**
 * What an organisation notification channel may point at. Pure, shared by the procedures (zod) and the
 * domain code (a changed target is checked against the channel's kind).
 */
import { randomBytes } from "node:crypto";

export const CHANNEL_KINDS = ["webhook", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const MAX_TARGET_LENGTH = 2000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why `target` cannot be used for a `kind` channel, or null when it can. */
export function channelTargetProblem(kind: ChannelKind, target: string): string | null {
  const t = target.trim();
  if (!t) return kind === "webhook" ? "Enter the webhook URL." : "Enter an e-mail address.";
  if (t.length > MAX_TARGET_LENGTH) return `The target is at most ${MAX_TARGET_LENGTH} characters.`;
  if (kind === "email") return EMAIL.test(t) ? null : `"${t}" is not an e-mail address.`;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return `"${t}" is not a URL: use the full address, e.g. https://hooks.example.com/ecomate.`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `A webhook URL starts with https:// (or http://), not ${url.protocol}//.`;
  // fetch refuses URLs with user:password; receivers authenticate with the signature instead
  if (url.username || url.password) return "Leave the user name and password out of the webhook URL: receivers check the X-EcoMate-Signature header instead.";
  return null;
}

/** A new webhook signing secret (192 random bits), shown to the admin once. */
export function generateChannelSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}
