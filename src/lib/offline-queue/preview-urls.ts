/**
 * Object URLs for photos kept on the phone, one per client key. The queue re-reads its store on
 * every pass and hands out new Blob objects each time; keyed by the photo rather than the Blob, a
 * thumbnail keeps its URL (no reload, no blink) through those re-reads and through the switch
 * from "waiting" to "uploaded". A URL is revoked as soon as its photo is no longer shown, so the
 * bytes it pins are released. An external store for useSyncExternalStore; pure with the URL
 * functions passed in (preview-urls.test.ts).
 */
export class PreviewUrls {
  private urls: ReadonlyMap<string, string> = new Map();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly create: (blob: Blob) => string,
    private readonly revoke: (url: string) => void,
  ) {}

  getSnapshot = (): ReadonlyMap<string, string> => this.urls;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Makes the URLs exactly those of `wanted`: new keys get one, keys no longer wanted are revoked. */
  sync(wanted: ReadonlyMap<string, Blob>): void {
    let changed = false;
    const next = new Map<string, string>();
    for (const [key, blob] of wanted) {
      const url = this.urls.get(key);
      if (url) next.set(key, url);
      else {
        next.set(key, this.create(blob));
        changed = true;
      }
    }
    for (const [key, url] of this.urls) {
      if (!wanted.has(key)) {
        this.revoke(url);
        changed = true;
      }
    }
    if (changed) this.publish(next);
  }

  /** Revokes every URL (the page showing them is gone). */
  clear(): void {
    if (this.urls.size === 0) return;
    for (const url of this.urls.values()) this.revoke(url);
    this.publish(new Map());
  }

  private publish(next: ReadonlyMap<string, string>): void {
    this.urls = next;
    for (const l of this.listeners) l();
  }
}
