import type { MetadataRoute } from "next";

// Installable on a phone's home screen: technicians open their work orders like an app, full screen.
// The service worker (public/sw.js) caches nothing, so an installed app still needs the network for
// pages; what is typed offline waits in the phone's queues (src/lib/offline-queue).
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "EcoMate",
    short_name: "EcoMate",
    description: "Operations for small, decentralised water-treatment systems",
    start_url: "/work-orders",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#0e7490",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
