import { getDb } from "@/server/db";
import { currentUser } from "@/server/auth/session";
import { handleComplianceCsv } from "@/server/compliance/csv";

export const dynamic = "force-dynamic";

// GET /api/compliance/{systemCode}/{YYYY-MM}.csv: the monthly UV operating log (src/server/compliance/csv.ts)
export async function GET(_req: Request, { params }: { params: Promise<{ systemCode: string; file: string }> }): Promise<Response> {
  const { systemCode, file } = await params;
  return handleComplianceCsv({ db: getDb(), user: await currentUser(), systemCode, file });
}
