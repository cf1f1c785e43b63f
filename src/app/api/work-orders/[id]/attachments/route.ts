import { getDb } from "@/server/db";
import { currentUser } from "@/server/auth/session";
import { handleAttachmentUpload } from "@/server/maintenance/work-orders/attachment-routes";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleAttachmentUpload(req, { db: getDb(), user: await currentUser(), workOrderId: (await params).id });
}
