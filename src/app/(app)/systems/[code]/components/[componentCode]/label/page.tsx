import { headers } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import QRCode from "qrcode";
import { TRPCError } from "@trpc/server";
import { requirePageUser } from "@/server/auth/session";
import { serverApi } from "@/server/api/server-caller";
import { findComponent } from "@/components/work-orders/component-tree";
import { componentPath, LABEL_MM, labelPath, originFromHeaders } from "@/components/work-orders/label";
import { PrintButton } from "@/components/work-orders/print-button";

export async function generateMetadata({ params }: { params: Promise<{ code: string; componentCode: string }> }) {
  const p = await params;
  return { title: `Label ${decodeURIComponent(p.code)} ${decodeURIComponent(p.componentCode)}` };
}

// Printing shows the label alone, at its size: everything that neither is nor contains the label
// is hidden, and what contains it loses its spacing.
const PRINT_CSS = `
@page { size: ${LABEL_MM.width}mm ${LABEL_MM.height}mm; margin: 0; }
@media print {
  html, body { background: #fff !important; margin: 0 !important; padding: 0 !important; }
  body *:not(:has(#qr-label)):not(#qr-label):not(#qr-label *) { display: none !important; }
  body *:has(#qr-label) { margin: 0 !important; padding: 0 !important; border: 0 !important; box-shadow: none !important; min-height: 0 !important; max-width: none !important; position: static !important; }
  #qr-label { border: 0 !important; box-shadow: none !important; margin: 0 !important; break-inside: avoid; }
}
`;

/** A printable QR label for a component: scanning it opens the component's page. */
export default async function ComponentLabelPage({ params }: { params: Promise<{ code: string; componentCode: string }> }) {
  const p = await params;
  const code = decodeURIComponent(p.code);
  const componentCode = decodeURIComponent(p.componentCode);
  await requirePageUser("viewer", labelPath(code, componentCode));
  const api = await serverApi();
  const system = await api.fleet.system({ code }).catch((err: unknown) => {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  });
  const component = findComponent(system.components, componentCode);
  if (!component) notFound();

  const url = `${originFromHeaders(await headers())}${componentPath(system.code, component.code)}`;
  // rendered here, as SVG: sharp at any print resolution and no script in the browser
  const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 1 });

  return (
    <>
      <style>{PRINT_CSS}</style>
      <p className="mb-2 text-sm">
        <Link href={componentPath(system.code, component.code)} className="inline-flex min-h-11 items-center text-brand-700 hover:underline">
          ← {component.name} ({component.code})
        </Link>
      </p>
      <h1 className="mb-1 text-2xl font-semibold tracking-tight">QR label</h1>
      <p className="mb-4 text-sm text-slate-600">
        Stick it on the component: a phone camera opens its page, with its open work orders and a button for a new one. Printed at {LABEL_MM.width} × {LABEL_MM.height} mm.
      </p>

      <div className="mb-4 overflow-hidden">
        <div
          id="qr-label"
          data-testid="qr-label"
          className="flex items-center gap-[2mm] overflow-hidden rounded-md border border-slate-400 bg-white p-[2mm] text-black shadow-sm"
          style={{ width: `${LABEL_MM.width}mm`, height: `${LABEL_MM.height}mm`, maxWidth: "100%" }}
        >
          <div className="aspect-square h-full shrink-0 [&>svg]:h-full [&>svg]:w-full" role="img" aria-label={`QR code for ${url}`} dangerouslySetInnerHTML={{ __html: svg }} />
          <div className="min-w-0 flex-1 leading-tight">
            <p className="text-[9pt] font-bold">{system.code}</p>
            <p className="font-mono text-[11pt] font-bold break-all">{component.code}</p>
            <p className="mt-[1mm] text-[7pt] break-words">{component.name}</p>
            <p className="mt-[1mm] text-[6pt] text-slate-600">EcoMate · scan for work orders</p>
          </div>
        </div>
      </div>
      <p className="mb-4 text-xs break-all text-slate-500" data-testid="qr-url">
        {url}
      </p>
      <PrintButton />
    </>
  );
}
