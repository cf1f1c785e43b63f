"use client";

import { useId, useState, type FormEvent } from "react";
import { RelativeTime } from "@/components/alerts/relative-time";
import type { PendingRow } from "./optimistic";
import { ErrorText, input, PendingState, primary, Section } from "./ui";

export function CommentsSection({
  comments,
  pending,
  canWork,
  onComment,
  onDismiss,
}: {
  comments: { id: string; userName: string; body: string; createdAt: Date }[];
  pending: PendingRow<"comment">[];
  canWork: boolean;
  onComment: (body: string) => Promise<void>;
  onDismiss: (clientKey: string) => void;
}) {
  const id = useId();
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const text = body.trim();
    if (!text) return;
    setSaving(true);
    setError(null);
    try {
      await onComment(text);
      setBody("");
    } catch (err) {
      setError(`Could not save the comment on this phone: ${(err as Error).message}`);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Section id="comments" title="Comments" testId="wo-comments">
      {comments.length === 0 && pending.length === 0 ? <p className="text-sm text-slate-500">No comments yet.</p> : null}
      <ul className="space-y-3" data-testid="wo-comments-list">
        {comments.map((c) => (
          <li key={c.id} className="text-sm" data-testid="wo-comment">
            <p className="text-xs text-slate-500">
              <span className="font-medium text-slate-700">{c.userName}</span> · <RelativeTime at={c.createdAt} />
            </p>
            <p className="mt-0.5 whitespace-pre-wrap break-words">{c.body}</p>
          </li>
        ))}
        {pending.map((c) => (
          <li key={c.clientKey} className="text-sm" data-testid="wo-comment" data-pending={c.failed ? "refused" : "waiting"}>
            <p className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
              <span className="font-medium text-slate-700">{c.meta?.userName ?? "me"}</span>
              <PendingState failed={c.failed} attempts={c.attempts} lastError={c.lastError} onDismiss={() => onDismiss(c.clientKey)} />
            </p>
            <p className={`mt-0.5 whitespace-pre-wrap break-words ${c.failed ? "text-slate-500" : ""}`}>{c.input.body}</p>
          </li>
        ))}
      </ul>
      {canWork ? (
        <form onSubmit={submit} className="mt-3 space-y-2 border-t border-slate-100 pt-3">
          <label htmlFor={`${id}-body`} className="text-sm font-medium">
            Add a comment
          </label>
          <textarea
            id={`${id}-body`}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            maxLength={4000}
            rows={3}
            placeholder="What you found, what you did, what is next"
            className={input}
            data-testid="wo-comment-body"
          />
          <ErrorText>{error}</ErrorText>
          <button type="submit" className={`${primary} w-full sm:w-auto`} disabled={saving || !body.trim()} data-testid="wo-comment-submit">
            Post comment
          </button>
        </form>
      ) : null}
    </Section>
  );
}
