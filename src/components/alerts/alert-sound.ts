"use client";

import { useSyncExternalStore } from "react";

/**
 * The audible cue for new critical alerts (Web Audio, no sound file). Browsers keep audio blocked
 * until the person has interacted with the page, so sound is opt-in: the "sound on" toggle is that
 * interaction, and the choice is remembered in localStorage. On a later visit the audio context is
 * unlocked by the first tap or key press anywhere; until then the toggle says so.
 */

const STORAGE_KEY = "ecomate.alerts.sound";

export type SoundState = "off" | "on" | "blocked";

let context: AudioContext | null = null;
const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

function readEnabled(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === "on";
  } catch {
    return false; // storage disabled (private mode): sound stays off
  }
}

function audioContextClass(): typeof AudioContext | undefined {
  const w = window as unknown as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
  return w.AudioContext ?? w.webkitAudioContext;
}

/** Creates or resumes the audio context; only works from within a user gesture. */
function unlock(): void {
  const Ctx = audioContextClass();
  if (!Ctx) return;
  context ??= new Ctx();
  if (context.state === "suspended") {
    void context.resume().then(notify, () => undefined);
  }
  context.onstatechange = notify;
  notify();
}

/** Marks the sound toggle: its own click decides (unlocking here first would make it read "on" and turn sound off). */
export const SOUND_TOGGLE_ATTRIBUTE = "data-sound-toggle";

function onGesture(e: Event): void {
  if (e.target instanceof Element && e.target.closest(`[${SOUND_TOGGLE_ATTRIBUTE}]`)) return;
  if (readEnabled() && context?.state !== "running") unlock();
}

function onStorage(e: StorageEvent): void {
  if (e.key === STORAGE_KEY) notify();
}

function subscribe(onChange: () => void): () => void {
  if (listeners.size === 0) {
    window.addEventListener("pointerdown", onGesture, true);
    window.addEventListener("keydown", onGesture, true);
    window.addEventListener("storage", onStorage);
  }
  listeners.add(onChange);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0) {
      window.removeEventListener("pointerdown", onGesture, true);
      window.removeEventListener("keydown", onGesture, true);
      window.removeEventListener("storage", onStorage);
    }
  };
}

function getState(): SoundState {
  if (!readEnabled()) return "off";
  return context?.state === "running" ? "on" : "blocked";
}

export function useSoundState(): SoundState {
  return useSyncExternalStore(subscribe, getState, () => "off");
}

/** Call from a click handler: turning sound on there also unlocks audio and plays a short preview. */
export function setSoundEnabled(on: boolean): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  } catch {
    // not remembered, but still on for this page
  }
  if (on) {
    unlock();
    playTone(context, [660]);
  }
  notify();
}

function playTone(ctx: AudioContext | null, frequencies: number[]): void {
  if (!ctx) return;
  const start = ctx.currentTime + 0.02;
  frequencies.forEach((frequency, i) => {
    const t = start + i * 0.2;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "triangle";
    osc.frequency.value = frequency;
    // short attack and decay: no clicks
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.17);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.18);
  });
}

/** The critical-alert tone (three short beeps, high-low-high); silent when sound is off or still blocked. */
export function playCriticalTone(): void {
  if (!readEnabled() || !context) return;
  if (context.state === "suspended") void context.resume().catch(() => undefined);
  playTone(context, [988, 740, 988]);
}
