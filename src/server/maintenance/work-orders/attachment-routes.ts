/**
 * The photo endpoints (binary, so plain HTTP rather than tRPC): `POST /api/work-orders/<id>/attachments`
 * and `GET /api/work-orders/attachments/<attachmentId>`. Web-standard Request/Response only, so the
 * Next.js route handlers stay one line and the tests call these with the user they sign in as.
 * An upload with a client key (a photo from a phone's offline queue) answers 201 when stored and
 * 200 with the stored attachment when the key was seen before on that order (a replay).
 */
import { hasRole } from "@/lib/roles";
import type { SessionUser } from "@/server/auth/verify-credentials";
import type { Db } from "@/server/db";
import { AppError, httpStatusOf } from "@/server/errors";
import { attachPhoto, getAttachment, MAX_PHOTO_BYTES, type PhotoRefusal } from "./attach-photo";

/** Room for the multipart boundaries and part headers around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const problem = (status: number, error: string) => json(status, { error });

const REFUSAL_STATUS: Record<PhotoRefusal, number> = { empty: 400, too_large: 413, unsupported_type: 415 };

/** Reads at most `limit` bytes of the body; null when it is longer (the rest is not read). */
async function readCapped(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A photo queued on a phone carries the key it was given when it was taken (form field `clientKey`
 * and/or header `Idempotency-Key`), so a replay after a lost answer is stored once. URL-safe
 * characters only, since the key also travels as a header.
 */
const CLIENT_KEY = /^[A-Za-z0-9_-]{8,100}$/;
const KEY_RULE = "8 to 100 letters, digits, \"-\" or \"_\" (e.g. a UUID)";

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

const tooLarge = () => problem(413, `The upload is larger than ${MAX_PHOTO_BYTES / 1048576} MB; photos may be at most 10 MB.`);

export async function handleAttachmentUpload(req: Request, ctx: { db: Db; user: SessionUser | null; workOrderId: string }): Promise<Response> {
  const { user } = ctx;
  if (!user) return problem(401, "Sign in to add photos.");
  if (!hasRole(user.role, "technician")) return problem(403, `Adding photos needs the technician role; you are signed in as ${user.role}.`);
  const headerKey = req.headers.get("idempotency-key");
  if (headerKey !== null && !CLIENT_KEY.test(headerKey)) return problem(400, `The Idempotency-Key header must be ${KEY_RULE}; got ${shown(headerKey)}.`);
  const contentType = req.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    return problem(400, `Send the photo as multipart/form-data with the field "file" (got ${contentType || "no content type"}).`);
  }
  const limit = MAX_PHOTO_BYTES + FORM_OVERHEAD_BYTES;
  // refuse a declared oversize body before reading any of it
  if (Number(req.headers.get("content-length") ?? 0) > limit) return tooLarge();
  const body = await readCapped(req, limit);
  if (!body) return tooLarge();
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { "content-type": contentType } }).formData();
  } catch {
    return problem(400, "The upload is not a readable multipart/form-data body.");
  }
  const file = form.get("file");
  if (!(file instanceof File)) return problem(400, `The form has no file in the field "file".`);
  const fieldKey = form.get("clientKey");
  if (fieldKey !== null) {
    if (typeof fieldKey !== "string") return problem(400, `The form field "clientKey" must be text (${KEY_RULE}), not a file.`);
    if (!CLIENT_KEY.test(fieldKey)) return problem(400, `The form field "clientKey" must be ${KEY_RULE}; got ${shown(fieldKey)}.`);
    if (headerKey !== null && headerKey !== fieldKey) {
      return problem(400, `The form field "clientKey" (${shown(fieldKey)}) and the Idempotency-Key header (${shown(headerKey)}) differ; send one key per photo.`);
    }
  }
  const clientKey = fieldKey ?? headerKey ?? undefined;
  try {
    const { duplicate, ...saved } = await attachPhoto(ctx.db, user, ctx.workOrderId, { fileName: file.name, data: new Uint8Array(await file.arrayBuffer()), clientKey });
    // a replay is answered like the first upload, with 200: nothing new was stored
    return json(duplicate ? 200 : 201, saved);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const reason = err.details?.reason as PhotoRefusal | undefined;
    return problem(reason ? REFUSAL_STATUS[reason] : httpStatusOf[err.code], err.message);
  }
}

/** The photo's bytes for a signed-in user of its organisation; 404 for anyone else (nothing to learn). */
export async function handleAttachmentDownload(ctx: { db: Db; user: SessionUser | null; attachmentId: string }): Promise<Response> {
  if (!ctx.user) return problem(404, `Attachment "${ctx.attachmentId}" was not found.`);
  try {
    const file = await getAttachment(ctx.db, ctx.user.organizationId, ctx.attachmentId);
    return new Response(file.data as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: {
        "content-type": file.contentType,
        "content-length": String(file.data.byteLength),
        "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        "x-content-type-options": "nosniff",
        "cache-control": "private, max-age=3600",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return problem(httpStatusOf[err.code], err.message);
    throw err;
  }
}
