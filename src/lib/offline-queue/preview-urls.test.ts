import { describe, expect, it } from "vitest";
import { PreviewUrls } from "./preview-urls";

function fakeUrls() {
  let n = 0;
  const live = new Set<string>();
  const revoked: string[] = [];
  const urls = new PreviewUrls(
    () => {
      const url = `blob:${++n}`;
      live.add(url);
      return url;
    },
    (url) => {
      live.delete(url);
      revoked.push(url);
    },
  );
  return { urls, live, revoked };
}

const blob = () => new Blob(["x"]);

describe("PreviewUrls", () => {
  it("gives each photo one URL, kept while it is shown even when its Blob object changes", () => {
    const { urls, live } = fakeUrls();
    let changes = 0;
    urls.subscribe(() => changes++);
    urls.sync(new Map([["a", blob()]]));
    const first = urls.getSnapshot();
    expect(first.get("a")).toBe("blob:1");
    // the queue re-read its store: same photo, new Blob object
    urls.sync(new Map([["a", blob()]]));
    expect(urls.getSnapshot()).toBe(first);
    expect(changes).toBe(1);
    urls.sync(new Map([["a", blob()], ["b", blob()]]));
    expect(Object.fromEntries(urls.getSnapshot())).toEqual({ a: "blob:1", b: "blob:2" });
    expect([...live]).toEqual(["blob:1", "blob:2"]);
    expect(changes).toBe(2);
  });

  it("revokes the URL of a photo no longer shown, and all of them on clear", () => {
    const { urls, live, revoked } = fakeUrls();
    urls.sync(new Map([["a", blob()], ["b", blob()]]));
    urls.sync(new Map([["b", blob()]]));
    expect(revoked).toEqual(["blob:1"]);
    expect(Object.fromEntries(urls.getSnapshot())).toEqual({ b: "blob:2" });
    urls.clear();
    expect(revoked).toEqual(["blob:1", "blob:2"]);
    expect(live.size).toBe(0);
    expect(urls.getSnapshot().size).toBe(0);
    // shown again after a clear (React's strict-mode remount): a fresh URL
    urls.sync(new Map([["b", blob()]]));
    expect(urls.getSnapshot().get("b")).toBe("blob:3");
  });

  it("stops telling a listener once it unsubscribed", () => {
    const { urls } = fakeUrls();
    let changes = 0;
    const stop = urls.subscribe(() => changes++);
    urls.sync(new Map([["a", blob()]]));
    stop();
    urls.clear();
    expect(changes).toBe(1);
  });
});
