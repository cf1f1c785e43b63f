// The physics of one treatment unit (domain.md §1–3, §6). Pure: no I/O, no Node imports.
export * from "./water";
export * from "./pump";
export * from "./filter";
export * from "./uv";
export * from "./unit";
