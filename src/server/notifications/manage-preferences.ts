/**
 * A person's own notification settings (every signed-in user, for themselves only): browser and
 * e-mail, each on/off with a minimum severity. Read by the settings page and the browser notifier;
 * the worker reads the e-mail rows when it mails an alert (notify.ts).
 */
import type { RoleName } from "@/lib/roles";
import { recordAudit } from "@/server/audit";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { effectivePreference, PREFERENCE_CHANNELS, type EffectivePreference, type Preference, type PreferenceChannel } from "./preferences";

export interface NotificationSettings {
  /** where e-mail goes: the person's sign-in address */
  address: string;
  browser: EffectivePreference;
  email: EffectivePreference;
}

export interface PreferenceOwner {
  id: string;
  email: string;
  role: RoleName;
  organizationId: string;
}

export async function getNotificationSettings(db: Db, user: PreferenceOwner): Promise<NotificationSettings> {
  const row = await db.user.findFirst({
    where: { id: user.id, organizationId: user.organizationId },
    select: { email: true, role: true, notificationPrefs: { select: { channel: true, enabled: true, minSeverity: true } } },
  });
  if (!row) throw notFound("User", user.id);
  const stored = (channel: PreferenceChannel) => row.notificationPrefs.find((p) => p.channel === channel) ?? null;
  return {
    address: row.email,
    browser: effectivePreference(row.role, "browser", stored("browser")),
    email: effectivePreference(row.role, "email", stored("email")),
  };
}

/** Stores the channels given (the others keep their value) and returns the settings as they now are. */
export async function updateNotificationSettings(
  db: Db,
  user: PreferenceOwner,
  change: Partial<Record<PreferenceChannel, Preference>>,
): Promise<NotificationSettings> {
  const channels = PREFERENCE_CHANNELS.filter((c) => change[c] !== undefined);
  await db.$transaction(async (tx) => {
    for (const channel of channels) {
      const { enabled, minSeverity } = change[channel]!;
      await tx.notificationPreference.upsert({
        where: { userId_channel: { userId: user.id, channel } },
        create: { userId: user.id, channel, enabled, minSeverity },
        update: { enabled, minSeverity },
      });
    }
    await recordAudit(tx, { type: "user", userId: user.id, label: user.email }, {
      organizationId: user.organizationId,
      action: "notification_preference.update",
      entityType: "user",
      entityId: user.id,
      details: Object.fromEntries(channels.map((c) => [c, { ...change[c]! }])),
    });
  });
  return getNotificationSettings(db, user);
}
