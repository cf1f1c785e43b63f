import type { ReactNode } from "react";
import { requirePageUser } from "@/server/auth/session";
import { OfflineBanner } from "@/components/work-orders/offline-banner";

// Every work-order page shows what is saved on this phone and not yet sent (and what the server
// refused), and keeps the queue retrying while the technician moves between orders.
export default async function WorkOrdersLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser("viewer", "/work-orders");
  return (
    <>
      <OfflineBanner userId={user.id} />
      {children}
    </>
  );
}
