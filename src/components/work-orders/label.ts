// The component QR label: the address it encodes and the print size.

/** The component page a label opens: /systems/<code>/components/<componentCode>. */
export function componentPath(systemCode: string, componentCode: string): string {
  return `/systems/${encodeURIComponent(systemCode)}/components/${encodeURIComponent(componentCode)}`;
}

/** The printable label of a component. */
export function labelPath(systemCode: string, componentCode: string): string {
  return `${componentPath(systemCode, componentCode)}/label`;
}

interface HeaderSource {
  get(name: string): string | null;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The origin the browser used to reach us, for an absolute address in the QR code (a phone's
 * camera app opens it without knowing our site). Behind a proxy the forwarded host and protocol
 * are used; anything that does not look like a host falls back to `fallback`.
 */
export function originFromHeaders(headers: HeaderSource, fallback = "http://localhost:3000"): string {
  const first = (v: string | null) => v?.split(",")[0]?.trim() || null;
  const host = first(headers.get("x-forwarded-host")) ?? first(headers.get("host"));
  if (!host || !HOST.test(host)) return fallback;
  const proto = first(headers.get("x-forwarded-proto"));
  const scheme = proto === "https" || proto === "http" ? proto : "http";
  return `${scheme}://${host}`;
}

/** Label size in millimetres: fits common 62 mm label printers' die-cut labels. */
export const LABEL_MM = { width: 62, height: 40 } as const;
