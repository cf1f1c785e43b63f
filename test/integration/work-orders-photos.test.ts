// Work-order photos over HTTP against the real database: POST /api/work-orders/<id>/attachments and
// GET /api/work-orders/attachments/<attachmentId>. The route handlers only add the session lookup
// (next-auth) to these handlers, so the tests call the handlers as the user they sign in as.
import { crc32, deflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../src/server/auth/verify-credentials";
import { handleAttachmentDownload, handleAttachmentUpload } from "../../src/server/maintenance/work-orders/attachment-routes";
import { callerAs, makeOrg, testDb, uid, type TestOrg } from "./helpers";

const db = testDb();
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  [org, other] = await Promise.all([makeOrg(db, { systems: 1 }), makeOrg(db, { systems: 1 })]);
});

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid 1x1 RGB PNG (signature, IHDR, IDAT, IEND), built here so the test owns its bytes. */
function tinyPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const scanline = Buffer.from([0, 0x1e, 0x90, 0xff]); // filter byte + one blue pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(scanline)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function upload(
  user: SessionUser | null,
  workOrderId: string,
  bytes: Uint8Array,
  fileName: string,
  type = "image/png",
  key: { field?: string; header?: string } = {},
): Promise<Response> {
  const form = new FormData();
  form.append("file", new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), fileName);
  if (key.field !== undefined) form.append("clientKey", key.field);
  const headers = key.header !== undefined ? { "idempotency-key": key.header } : undefined;
  const req = new Request(`http://localhost/api/work-orders/${workOrderId}/attachments`, { method: "POST", body: form, headers });
  return handleAttachmentUpload(req, { db, user, workOrderId });
}

type Saved = { id: string; fileName: string; contentType: string; sizeBytes: number };
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

const newOrder = async (assigneeId?: string) =>
  (await callerAs(db, org.users.manager).maintenance.workOrder.create({ systemCode: org.systemCodes[0]!, componentCode: "pump-1", type: "corrective", title: `Leak ${uid()}`, assigneeId })).id;

const rows = (workOrderId: string) => db.workOrderAttachment.count({ where: { workOrderId } });

describe("POST /api/work-orders/<id>/attachments", () => {
  it("stores a real PNG for a technician and serves it back to a viewer of the organisation", async () => {
    const id = await newOrder();
    const png = tinyPng();
    const res = await upload(org.users.technician, id, png, "seal leak.png");
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; fileName: string; contentType: string; sizeBytes: number };
    expect(body).toEqual({ id: body.id, fileName: "seal leak.png", contentType: "image/png", sizeBytes: png.length });
    const row = await db.workOrderAttachment.findUniqueOrThrow({ where: { id: body.id } });
    expect(Buffer.from(row.data).equals(png)).toBe(true);
    expect(row.uploadedById).toBe(org.users.technician.id);
    expect(await db.auditLog.count({ where: { entityId: id, action: "work_order.attach_photo" } })).toBe(1);

    const detail = await callerAs(db, org.users.viewer).maintenance.workOrder.get({ id });
    expect(detail.attachments).toEqual([{ id: body.id, fileName: "seal leak.png", contentType: "image/png", sizeBytes: png.length, createdAt: expect.any(Date), uploadedBy: org.users.technician.name }]);

    const got = await handleAttachmentDownload({ db, user: org.users.viewer, attachmentId: body.id });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);

    // another organisation, or nobody signed in: 404, nothing to learn
    for (const user of [other.users.admin, null]) {
      const denied = await handleAttachmentDownload({ db, user, attachmentId: body.id });
      expect(denied.status).toBe(404);
      expect(((await denied.json()) as { error: string }).error).toContain(body.id);
    }
  });

  it("judges the type by content: a text file named .png is 415, and nothing is stored", async () => {
    const id = await newOrder();
    const res = await upload(org.users.technician, id, Buffer.from("just some notes, not a picture\n".repeat(20)), "photo.png");
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/photo\.png.*JPEG, PNG, WebP or HEIC/);
    // a real PDF announced as an image is refused too
    const pdf = await upload(org.users.technician, id, Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "latin1"), "scan.jpg", "image/jpeg");
    expect(pdf.status).toBe(415);
    expect(((await pdf.json()) as { error: string }).error).toMatch(/application\/pdf/);
    expect(await rows(id)).toBe(0);
  });

  it("refuses a file over 10 MB with 413, and nothing is stored", async () => {
    const id = await newOrder();
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    tinyPng().copy(big);
    const res = await upload(org.users.technician, id, big, "huge.png");
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/at most 10 MB/);
    // a body declared far too large is refused before it is read
    const declared = new Request(`http://localhost/api/work-orders/${id}/attachments`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(50 * 1024 * 1024) },
      body: "--x--",
    });
    expect((await handleAttachmentUpload(declared, { db, user: org.users.technician, workOrderId: id })).status).toBe(413);
    expect(await rows(id)).toBe(0);
  });

  it("answers 404 to another organisation's user, 403 to a viewer or a technician on someone else's order, 401 signed out", async () => {
    const id = await newOrder(org.users.manager.id);
    const png = tinyPng();
    const foreign = await upload(other.users.technician, id, png, "a.png");
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: string }).error).toContain(id);
    expect((await upload(org.users.viewer, id, png, "a.png")).status).toBe(403);
    const notTheirs = await upload(org.users.technician, id, png, "a.png");
    expect(notTheirs.status).toBe(403);
    expect(((await notTheirs.json()) as { error: string }).error).toMatch(/assigned to/);
    expect((await upload(null, id, png, "a.png")).status).toBe(401);
    expect(await rows(id)).toBe(0);
    // the assignee's manager may
    expect((await upload(org.users.manager, id, png, "a.png")).status).toBe(201);
  });

  it("names a missing file field or a non-multipart body with 400", async () => {
    const id = await newOrder();
    const form = new FormData();
    form.append("photo", new Blob([new Uint8Array(tinyPng())]), "a.png");
    const wrongField = await handleAttachmentUpload(new Request("http://localhost/x", { method: "POST", body: form }), { db, user: org.users.technician, workOrderId: id });
    expect(wrongField.status).toBe(400);
    expect(((await wrongField.json()) as { error: string }).error).toMatch(/field "file"/);
    const raw = await handleAttachmentUpload(new Request("http://localhost/x", { method: "POST", headers: { "content-type": "image/png" }, body: new Uint8Array(tinyPng()) }), { db, user: org.users.technician, workOrderId: id });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: string }).error).toMatch(/multipart\/form-data/);
    const empty = await upload(org.users.technician, id, new Uint8Array(0), "empty.png");
    expect(empty.status).toBe(400);
    expect(await rows(id)).toBe(0);
  });
});

describe("POST /api/work-orders/<id>/attachments with a client key (photos queued on a phone)", () => {
  it("stores a replayed photo once and answers the replay with 200 and the stored attachment", async () => {
    const id = await newOrder();
    const png = tinyPng();
    const clientKey = `photo-${uid()}-${uid()}`;
    const first = await upload(org.users.technician, id, png, "valve.png", "image/png", { field: clientKey });
    expect(first.status).toBe(201);
    const saved = (await first.json()) as Saved;
    expect(saved).toEqual({ id: saved.id, fileName: "valve.png", contentType: "image/png", sizeBytes: png.length });

    // the phone never heard the answer and sends it again, by form field, by header, or both
    for (const key of [{ field: clientKey }, { header: clientKey }, { field: clientKey, header: clientKey }]) {
      const again = await upload(org.users.technician, id, png, "valve.png", "image/png", key);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(saved);
    }
    expect(await rows(id)).toBe(1);
    const row = await db.workOrderAttachment.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row.clientKey).toBe(clientKey);
    expect(await db.auditLog.count({ where: { entityId: id, action: "work_order.attach_photo" } })).toBe(1);

    // without a key every upload is a new photo, as before
    expect((await upload(org.users.technician, id, png, "valve.png")).status).toBe(201);
    expect((await upload(org.users.technician, id, png, "valve.png")).status).toBe(201);
    expect(await rows(id)).toBe(3);
  });

  it("refuses a key already used on another work order with 409, storing nothing there", async () => {
    const [a, b] = [await newOrder(), await newOrder()];
    const clientKey = `k_${uid()}${uid()}`;
    expect((await upload(org.users.technician, a, tinyPng(), "a.png", "image/png", { header: clientKey })).status).toBe(201);
    const res = await upload(org.users.technician, b, tinyPng(), "a.png", "image/png", { header: clientKey });
    expect(res.status).toBe(409);
    const error = await errorOf(res);
    expect(error).toContain(clientKey);
    expect(error).toMatch(/another work order/);
    expect(await rows(a)).toBe(1);
    expect(await rows(b)).toBe(0);
  });

  it("names a malformed key (field or header) or two different keys with 400, storing nothing", async () => {
    const id = await newOrder();
    const png = tinyPng();
    const cases: [{ field?: string; header?: string }, RegExp][] = [
      [{ field: "short" }, /form field "clientKey".*8 to 100/],
      [{ field: "has spaces in it" }, /form field "clientKey"/],
      [{ field: "x".repeat(101) }, /form field "clientKey"/],
      [{ field: "" }, /form field "clientKey"/],
      [{ header: "bad/key/with/slashes" }, /Idempotency-Key header.*8 to 100/],
      [{ field: `one-${uid()}`, header: `two-${uid()}` }, /"clientKey".*Idempotency-Key header.*differ/],
    ];
    for (const [key, message] of cases) {
      const res = await upload(org.users.technician, id, png, "a.png", "image/png", key);
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(await errorOf(res)).toMatch(message);
    }
    // a key sent as a file part is not a key
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(png)]), "a.png");
    form.append("clientKey", new Blob(["abcdefgh"]), "key.txt");
    const asFile = await handleAttachmentUpload(new Request("http://localhost/x", { method: "POST", body: form }), { db, user: org.users.technician, workOrderId: id });
    expect(asFile.status).toBe(400);
    expect(await errorOf(asFile)).toMatch(/"clientKey" must be text/);
    expect(await rows(id)).toBe(0);
    // the longest allowed key is fine
    expect((await upload(org.users.technician, id, png, "a.png", "image/png", { field: `${uid()}${"_".repeat(92)}` })).status).toBe(201);
  });

  it("stores one row when identical uploads race, and every one of them answers with it", async () => {
    const id = await newOrder();
    const png = tinyPng();
    const clientKey = `race-${uid()}-${uid()}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => upload(org.users.technician, id, png, "race.png", "image/png", { field: clientKey, header: clientKey })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as Saved).id)));
    expect(ids.size).toBe(1);
    expect(await rows(id)).toBe(1);
    expect(await db.auditLog.count({ where: { entityId: id, action: "work_order.attach_photo" } })).toBe(1);
  });

  it("keeps the other checks: another organisation's order is 404 and a viewer 403 even with a fresh key, a text file 415", async () => {
    const id = await newOrder();
    const png = tinyPng();
    expect((await upload(other.users.technician, id, png, "a.png", "image/png", { field: `org-${uid()}${uid()}` })).status).toBe(404);
    expect((await upload(org.users.viewer, id, png, "a.png", "image/png", { field: `view-${uid()}${uid()}` })).status).toBe(403);
    const text = await upload(org.users.technician, id, Buffer.from("not a picture at all\n".repeat(10)), "a.png", "image/png", { field: `text-${uid()}${uid()}` });
    expect(text.status).toBe(415);
    expect(await rows(id)).toBe(0);
  });
});
