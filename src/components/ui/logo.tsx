export function Logo({ size = "md" }: { size?: "md" | "lg" }) {
  const box = size === "lg" ? "h-10 w-10" : "h-8 w-8";
  const text = size === "lg" ? "text-2xl" : "text-lg";
  return (
    <span className="inline-flex items-center gap-2">
      <svg viewBox="0 0 32 32" className={box} aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#0e7490" />
        <path d="M16 5c-4 6-8 10.5-8 15a8 8 0 0 0 16 0c0-4.5-4-9-8-15z" fill="#ecfeff" />
      </svg>
      <span className={`${text} font-bold tracking-tight text-slate-900`}>EcoMate</span>
    </span>
  );
}
