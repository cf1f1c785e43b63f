import { fileTypeFromBuffer } from "file-type";
import type { Db } from "@/server/db";
import { AppError, notFound } from "@/server/errors";
import { assertCanEdit, auditWorkOrder, isUniqueViolation, loadOrder, type WorkOrderUser } from "./access";
import { sameOrderOrConflict } from "./log-labour";

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Photo types a phone produces and a browser (or the HEIC-aware apps) can show, by detected MIME type. */
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]);

/** Why a photo was refused, so the HTTP edge can answer 413 / 415 rather than a plain 400. */
export type PhotoRefusal = "empty" | "too_large" | "unsupported_type";

function refuse(reason: PhotoRefusal, message: string): AppError {
  return new AppError("BAD_REQUEST", message, { reason });
}

/** A file name safe to show and to put in a Content-Disposition header: no path, no control characters. */
export function cleanFileName(name: string, ext: string): string {
  const base = (name.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f"]/g, "").trim().slice(0, 200);
  return base || `photo.${ext}`;
}

export interface AttachmentInfo {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

const attachmentInfo = { id: true, fileName: true, contentType: true, sizeBytes: true } as const;

/**
 * Stores a photo on an order. The type is what the bytes are (file-type reads the magic numbers),
 * never what the name or the browser claims; everything is checked before anything is written.
 * With a clientKey (a photo queued on a phone offline) the same key twice is one photo: a replay
 * gets the stored one back (`duplicate`), a key used on another order is a conflict.
 */
export async function attachPhoto(
  db: Db,
  user: WorkOrderUser,
  workOrderId: string,
  file: { fileName: string; data: Uint8Array; clientKey?: string },
): Promise<AttachmentInfo & { duplicate: boolean }> {
  const order = await loadOrder(db, user.organizationId, workOrderId);
  const clientKey = file.clientKey ?? null;
  const stored = async () => {
    const existing = clientKey ? await db.workOrderAttachment.findUnique({ where: { clientKey }, select: { ...attachmentInfo, workOrderId: true } }) : null;
    if (!existing) return null;
    sameOrderOrConflict(existing, order.id, "photo", clientKey!);
    return { id: existing.id, fileName: existing.fileName, contentType: existing.contentType, sizeBytes: existing.sizeBytes, duplicate: true };
  };
  // the phone did not hear the first answer: it is on the server already, whatever changed since
  const replay = await stored();
  if (replay) return replay;
  assertCanEdit(user, order);
  const size = file.data.byteLength;
  if (size === 0) throw refuse("empty", `The file "${file.fileName}" is empty; choose the photo again.`);
  if (size > MAX_PHOTO_BYTES) {
    throw refuse("too_large", `The file "${file.fileName}" is ${(size / 1048576).toFixed(1)} MB; photos may be at most 10 MB (lower the camera resolution or crop it).`);
  }
  const detected = await fileTypeFromBuffer(file.data);
  if (!detected || !PHOTO_TYPES.has(detected.mime)) {
    const what = detected ? `a ${detected.mime} file` : "not an image this server recognises";
    throw refuse("unsupported_type", `The file "${file.fileName}" is ${what}; photos must be JPEG, PNG, WebP or HEIC.`);
  }
  const fileName = cleanFileName(file.fileName, detected.ext);
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.workOrderAttachment.create({
        data: { workOrderId: order.id, fileName, contentType: detected.mime, sizeBytes: size, data: file.data as Uint8Array<ArrayBuffer>, uploadedById: user.id, clientKey },
        select: attachmentInfo,
      });
      await auditWorkOrder(tx, user, order.id, "attach_photo", { attachmentId: row.id, fileName, contentType: detected.mime, sizeBytes: size });
      return { ...row, duplicate: false };
    });
  } catch (err) {
    // two uploads of one queued photo at once (two tabs, a retry while the first was in flight):
    // the unique index lets one in, the other answers with it
    const winner = clientKey && isUniqueViolation(err) ? await stored() : null;
    if (winner) return winner;
    throw err;
  }
}

/** A photo's bytes, for a signed-in user of the order's organisation. */
export async function getAttachment(db: Db, organizationId: string, attachmentId: string): Promise<{ fileName: string; contentType: string; data: Uint8Array }> {
  const row = await db.workOrderAttachment.findFirst({
    where: { id: attachmentId, workOrder: { organizationId } },
    select: { fileName: true, contentType: true, data: true },
  });
  if (!row) throw notFound("Attachment", attachmentId);
  return row;
}
