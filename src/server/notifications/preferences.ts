/**
 * Who hears about an alert outside the inbox, per person (NotificationPreference) and per organisation
 * (NotificationChannel). Pure: the notifier in the worker, the settings procedures and the tests share it.
 *
 * A person has one preference per channel:
 *   browser  an OS notification while the app's tab is in the background (src/components/notifications)
 *   email    a mail to their own address, sent by the worker when SMTP is configured
 * Without a stored row the role's default applies (issue 4: "per user and role"): technicians and up,
 * who act on alerts, get browser notifications from major up, viewers for criticals only. E-mail is
 * opt-in for every role: nobody receives mail they did not ask for.
 */
import type { RoleName } from "@/lib/roles";

export const SEVERITIES = ["critical", "major", "minor", "warning"] as const;
export type SeverityName = (typeof SEVERITIES)[number];

export const PREFERENCE_CHANNELS = ["browser", "email"] as const;
export type PreferenceChannel = (typeof PREFERENCE_CHANNELS)[number];

export interface Preference {
  enabled: boolean;
  minSeverity: SeverityName;
}

export interface EffectivePreference extends Preference {
  /** true when no choice is stored and the role's default applies */
  isDefault: boolean;
}

const SEVERITY_RANK: Record<SeverityName, number> = { critical: 4, major: 3, minor: 2, warning: 1 };

/** Whether an alert of `severity` reaches a channel or person asking for `minSeverity` and above. */
export function meetsSeverity(severity: SeverityName, minSeverity: SeverityName): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[minSeverity];
}

export function defaultPreference(role: RoleName, channel: PreferenceChannel): Preference {
  if (channel === "email") return { enabled: false, minSeverity: "critical" };
  return role === "viewer" ? { enabled: true, minSeverity: "critical" } : { enabled: true, minSeverity: "major" };
}

/** The stored choice of a person for a channel, else their role's default. */
export function effectivePreference(role: RoleName, channel: PreferenceChannel, stored: Preference | null | undefined): EffectivePreference {
  if (stored) return { enabled: stored.enabled, minSeverity: stored.minSeverity, isDefault: false };
  return { ...defaultPreference(role, channel), isDefault: true };
}

export interface EmailChannelTarget {
  target: string;
  minSeverity: SeverityName;
}

export interface EmailUser {
  email: string;
  role: RoleName;
  /** the stored e-mail preference, null when none */
  emailPreference: Preference | null;
}

/**
 * The addresses an alert of `severity` is mailed to, each once (compared without case): the
 * organisation's active e-mail channels whose minimum it meets, and the active people whose e-mail
 * preference is on and whose minimum it meets. The two add up: a person who turned their own e-mail off
 * still gets what an organisation channel sends to their address (the admin set that list up).
 */
export function emailRecipients(severity: SeverityName, channels: readonly EmailChannelTarget[], users: readonly EmailUser[]): string[] {
  const byAddress = new Map<string, string>();
  const add = (address: string) => {
    const trimmed = address.trim();
    if (trimmed && !byAddress.has(trimmed.toLowerCase())) byAddress.set(trimmed.toLowerCase(), trimmed);
  };
  for (const c of channels) if (meetsSeverity(severity, c.minSeverity)) add(c.target);
  for (const u of users) {
    const pref = effectivePreference(u.role, "email", u.emailPreference);
    if (pref.enabled && meetsSeverity(severity, pref.minSeverity)) add(u.email);
  }
  return [...byAddress.values()];
}
