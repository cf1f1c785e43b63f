"use client";

import { setSoundEnabled, useSoundState } from "./alert-sound";

/** Turns the critical-alert tone on or off (remembered in this browser). */
export function SoundToggle({ className = "" }: { className?: string }) {
  const state = useSoundState();
  const on = state !== "off";
  return (
    <button
      type="button"
      aria-pressed={on}
      data-testid="alert-sound-toggle"
      // SOUND_TOGGLE_ATTRIBUTE: the page-wide unlock leaves this button's own taps to it
      data-sound-toggle=""
      data-sound={state}
      // while blocked, the click itself unlocks audio (it is the gesture browsers wait for)
      onClick={() => setSoundEnabled(state === "blocked" ? true : !on)}
      title={
        state === "blocked"
          ? "Your browser holds sound until you interact with the page: tap anywhere (or here) to allow it."
          : "A short tone when a new critical alert arrives."
      }
      className={`inline-flex min-h-9 items-center gap-1.5 rounded-lg border px-3 py-1.5 text-sm font-medium ${
        on ? "border-brand-600 bg-brand-50 text-brand-700" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"
      } ${className}`}
    >
      <svg viewBox="0 0 24 24" className="h-4 w-4" aria-hidden="true">
        <path d="M4 9v6h4l5 4V5L8 9H4Z" fill="currentColor" />
        {on ? (
          <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        ) : (
          <path d="m16 9 6 6m0-6-6 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        )}
      </svg>
      {state === "off" ? "Sound off" : state === "on" ? "Sound on" : "Sound on · tap to allow"}
    </button>
  );
}
