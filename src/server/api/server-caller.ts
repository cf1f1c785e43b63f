import { cache } from "react";
import { createCaller } from "@/server/api/root";
import { createContext } from "@/server/api/context";

/** The tRPC caller for React Server Components: one context per request, the same role checks as HTTP. */
export const serverApi = cache(async () => createCaller(await createContext()));
