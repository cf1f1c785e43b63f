import { RETRY_INTERVAL_MS, type OfflineQueue } from "./queue";

interface Listenable {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface AutoRetryEnv {
  /** `online` fires here (window) */
  window: Listenable;
  /** `visibilitychange` fires here (document) */
  document: Listenable & { visibilityState: string };
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
  /** navigator.onLine: a tick that finds the connection back counts as `online` (some webviews fire no event) */
  isOnline?: () => boolean;
}

/**
 * When to try again: at once when the connection returns or the page comes back to the front (a
 * phone pulled out of a pocket), ignoring the backoff; and every 15 s, respecting it. Returns the
 * function that stops it.
 */
export function startAutoRetry(queue: Pick<OfflineQueue, "flush">, env: AutoRetryEnv, intervalMs = RETRY_INTERVAL_MS): () => void {
  const now = () => void queue.flush({ force: true });
  const onVisible = () => {
    if (env.document.visibilityState === "visible") now();
  };
  env.window.addEventListener("online", now);
  env.document.addEventListener("visibilitychange", onVisible);
  let wasOnline = env.isOnline?.() ?? true;
  const timer = env.setInterval(() => {
    const online = env.isOnline?.() ?? true;
    const back = online && !wasOnline;
    wasOnline = online;
    void queue.flush(back ? { force: true } : undefined);
  }, intervalMs);
  void queue.flush();
  return () => {
    env.window.removeEventListener("online", now);
    env.document.removeEventListener("visibilitychange", onVisible);
    env.clearInterval(timer);
  };
}
