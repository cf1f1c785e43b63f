#!/usr/bin/env node
// The `ecomate` command. Prisma's generated client imports `.ts` files, which Node 20 cannot run,
// so the CLI runs its TypeScript through tsx (a runtime dependency), registered in-process.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
