import { getDb } from "@/server/db";
import { currentUser } from "@/server/auth/session";
import { handleAttachmentDownload } from "@/server/maintenance/work-orders/attachment-routes";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ attachmentId: string }> }): Promise<Response> {
  return handleAttachmentDownload({ db: getDb(), user: await currentUser(), attachmentId: (await params).attachmentId });
}
