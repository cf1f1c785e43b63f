"use client";

import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type ChangeEvent } from "react";
import { PreviewUrls } from "@/lib/offline-queue/preview-urls";
import { photosOf, type PhotoEntry } from "./entries";
import { formatBytes } from "./format";
import { PhotoRefused, usePhotoOutbox } from "./offline";
import { ErrorText, PendingState, Section } from "./ui";

interface Attachment {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  createdAt: Date;
  uploadedBy: string;
}

// browsers other than Safari cannot show HEIC: a tile with the name instead of a broken image
const SHOWABLE = new Set(["image/jpeg", "image/png", "image/webp"]);

export const attachmentUrl = (id: string) => `/api/work-orders/attachments/${encodeURIComponent(id)}`;

type PendingStateName = "offline" | "waiting" | "uploading" | "refused";

const PENDING_LABEL: Record<PendingStateName, string> = {
  offline: "Waiting for a connection",
  waiting: "Waiting to upload",
  uploading: "Uploading…",
  refused: "Not uploaded",
};

const NO_URLS: ReadonlyMap<string, string> = new Map();

/** Object URLs for the photos on this phone, revoked when a photo is no longer shown or the section goes. */
function usePreviewUrls(files: ReadonlyMap<string, Blob>): ReadonlyMap<string, string> {
  const [cache] = useState(() => new PreviewUrls((blob) => URL.createObjectURL(blob), (url) => URL.revokeObjectURL(url)));
  const urls = useSyncExternalStore(cache.subscribe, cache.getSnapshot, () => NO_URLS);
  useEffect(() => cache.sync(files), [cache, files]);
  useEffect(() => () => cache.clear(), [cache]);
  return urls;
}

/**
 * Photos: the camera opens straight from the button on a phone (`capture`). A photo is checked on
 * the phone (a JPEG, PNG, WebP or HEIC by its bytes, at most 10 MB, room left among the photos
 * waiting), kept in IndexedDB with its client key (the photo outbox, `usePhotoOutbox`) and
 * uploaded from there, at once or when the connection returns: a photo taken in a plant room
 * without signal is not lost, and the server stores a replayed one once. Until the server has it,
 * it shows as a local thumbnail marked "waiting for a connection" or "uploading…"; once uploaded,
 * the server's attachment takes its place in the same tile with the same local bytes, so nothing
 * reloads or blinks.
 */
export function PhotosSection({
  orderId,
  orderLabel,
  userId,
  attachments,
  canEdit,
  online,
}: {
  orderId: string;
  orderLabel: string;
  userId: string;
  attachments: Attachment[];
  canEdit: boolean;
  online: boolean;
}) {
  const outbox = usePhotoOutbox(userId);
  const inputRef = useRef<HTMLInputElement>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const { pending, files } = useMemo(() => {
    const files = new Map<string, Blob>();
    for (const a of attachments) {
      const sent = outbox.sent.get(a.id);
      if (sent) files.set(sent.clientKey, sent.file);
    }
    // uploaded and already in the server's list: shown there, not twice
    const pending = photosOf(outbox.entries, orderId).filter((e) => !files.has(e.clientKey));
    for (const e of pending) files.set(e.clientKey, e.input.file);
    return { pending, files };
  }, [attachments, outbox.sent, outbox.entries, orderId]);
  const urls = usePreviewUrls(files);
  const refused = pending.filter((e) => e.failed);
  const waiting = pending.length - refused.length;

  const stateOf = (e: PhotoEntry): PendingStateName => (e.failed ? "refused" : outbox.uploading === e.clientKey ? "uploading" : online ? "waiting" : "offline");

  async function keep(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    setError(null);
    setSaving(true);
    try {
      await outbox.add(orderId, orderLabel, file);
    } catch (err) {
      setError(err instanceof PhotoRefused ? err.message : `The photo could not be kept on this phone (${(err as Error).message}); take it again.`);
    } finally {
      setSaving(false);
    }
  }

  // one array, so a tile keeps its element (and its decoded image) when it moves from pending to uploaded
  const tiles = [
    ...attachments.map((a) => {
      const local = outbox.sent.get(a.id)?.clientKey;
      return (
        // keyed by the photo's client key when it was taken here: the pending tile becomes this one in place
        <li key={local ?? a.id} className="relative min-w-0" data-testid="wo-photo" data-attachment-id={a.id}>
          <Tile
            href={attachmentUrl(a.id)}
            src={(local && urls.get(local)) || attachmentUrl(a.id)}
            name={a.fileName}
            showable={SHOWABLE.has(a.contentType)}
            title={`${a.fileName} · ${formatBytes(a.sizeBytes)} · ${a.uploadedBy}`}
          />
        </li>
      );
    }),
    ...pending.map((e) => {
      const state = stateOf(e);
      const url = urls.get(e.clientKey);
      return (
        <li key={e.clientKey} className="relative min-w-0" data-testid="wo-photo-pending" data-state={state} data-client-key={e.clientKey}>
          <Tile
            href={url}
            src={url}
            name={e.input.fileName}
            showable={SHOWABLE.has(e.input.file.type)}
            title={`${e.input.fileName} · ${formatBytes(e.input.file.size)} · ${PENDING_LABEL[state].toLowerCase()}${e.lastError && !e.failed ? ` (${e.lastError})` : ""}`}
            dimmed
          />
          <span
            className={`pointer-events-none absolute inset-x-1 bottom-1 flex items-center justify-center gap-1 rounded-md px-1 py-0.5 text-center text-[11px] leading-tight font-semibold shadow-sm ${
              state === "refused" ? "bg-red-700 text-white" : "bg-amber-100/95 text-amber-950"
            }`}
            data-testid="wo-photo-pending-state"
          >
            {state === "uploading" ? (
              <svg viewBox="0 0 24 24" className="h-3 w-3 shrink-0 animate-spin" aria-hidden="true">
                <path d="M12 3a9 9 0 1 0 9 9" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
              </svg>
            ) : null}
            {PENDING_LABEL[state]}
          </span>
        </li>
      );
    }),
  ];

  const count = attachments.length + waiting;
  return (
    <Section id="photos" title="Photos" aside={count ? (waiting ? `${count} · ${waiting} waiting` : `${count}`) : undefined} testId="wo-photos">
      {attachments.length === 0 && pending.length === 0 ? <p className="text-sm text-slate-500">No photos yet.</p> : null}
      <ul className="grid grid-cols-3 gap-2 sm:grid-cols-4" data-testid="wo-photo-list">
        {tiles}
      </ul>
      {refused.length ? (
        <ul className="mt-3 space-y-2" data-testid="wo-photo-refused-list">
          {refused.map((e) => (
            <li key={e.clientKey} className="text-sm" data-testid="wo-photo-refused" data-client-key={e.clientKey}>
              <span className="font-medium break-all">{e.input.fileName}</span>
              <PendingState failed={e.failed} attempts={e.attempts} lastError={e.lastError} onDismiss={() => void outbox.dismiss(e.clientKey)} />
            </li>
          ))}
        </ul>
      ) : null}
      {waiting && !outbox.persistent ? (
        <p className="mt-2 text-sm text-amber-900">This browser cannot keep photos on the phone: keep this page open until they are uploaded.</p>
      ) : null}
      {canEdit ? (
        <div className="mt-3">
          <input ref={inputRef} type="file" accept="image/*" capture="environment" className="sr-only" onChange={(e) => void keep(e)} data-testid="wo-photo-input" tabIndex={-1} />
          <button
            type="button"
            onClick={() => inputRef.current?.click()}
            disabled={saving}
            className="inline-flex min-h-11 w-full items-center justify-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-100 disabled:opacity-60 sm:w-auto"
            data-testid="wo-photo-add"
            data-online={online ? "true" : "false"}
          >
            <svg viewBox="0 0 24 24" className="h-5 w-5 shrink-0" aria-hidden="true">
              <path d="M4 8h3l2-3h6l2 3h3v11H4z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
              <circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
            <span className="text-balance">
              {saving ? "Keeping the photo on this phone…" : online ? "Take or add a photo" : "Take or add a photo — it will upload when you are back online"}
            </span>
          </button>
          <ErrorText testId="wo-photo-error">{error}</ErrorText>
        </div>
      ) : null}
    </Section>
  );
}

/** One square: the image (or its name when the browser cannot show the type), linking to the full size. */
function Tile({ href, src, name, showable, title, dimmed = false }: { href?: string; src?: string; name: string; showable: boolean; title: string; dimmed?: boolean }) {
  return (
    <a href={href} target="_blank" rel="noreferrer" className="block overflow-hidden rounded-lg border border-slate-200 bg-slate-100" title={title}>
      {showable && src ? (
        // eslint-disable-next-line @next/next/no-img-element -- private, signed-in bytes or a local blob: next/image's optimiser cannot fetch them
        <img src={src} alt={name} loading="lazy" className={`aspect-square w-full object-cover transition-opacity ${dimmed ? "opacity-80" : ""}`} />
      ) : (
        <span className="flex aspect-square w-full items-center justify-center p-1 text-center text-xs break-all text-slate-600">{name}</span>
      )}
    </a>
  );
}
