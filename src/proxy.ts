import { NextResponse, type NextRequest } from "next/server";

// Passes the requested path to server layouts, so a signed-out visitor is sent back to it after sign-in.
// Authorisation itself happens in the pages and procedures, never here.
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-ecomate-path", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ["/((?!api|_next/static|_next/image|favicon.svg|sw.js|manifest.webmanifest|icons/|models/).*)"],
};
