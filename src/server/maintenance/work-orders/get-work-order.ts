import type { AlertState, ComponentType, PartsRequestStatus, Severity, WorkOrderStatus } from "@/generated/prisma/enums";
import { hasRole } from "@/lib/roles";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { predictionViewSelect, toPredictionView, type PredictionView } from "@/server/predictions/list-predictions";
import type { WorkOrderUser } from "./access";
import { summarySelect, toSummary, type WorkOrderSummary } from "./list-work-orders";
import { allowedTransitionsFor, editRefusal, parseChecklist, type ChecklistItem } from "./rules";

type CodeRef = { code: string; name: string } | null;

export interface WorkOrderDetail extends Omit<WorkOrderSummary, "system" | "component" | "assignee"> {
  description: string | null;
  system: { id: string; code: string; name: string; siteId: string };
  component: { id: string; code: string; name: string; type: ComponentType } | null;
  assignee: { id: string; name: string } | null;
  requestedBy: { id: string; name: string } | null;
  startedAt: Date | null;
  completedAt: Date | null;
  alert: { id: string; title: string; severity: Severity; state: AlertState } | null;
  checklist: ChecklistItem[];
  labour: { id: string; userName: string; minutes: number; note: string | null; startedAt: Date | null; createdAt: Date }[];
  labourMinutes: number;
  parts: { id: string; partId: string; partNumber: string; name: string; unit: string; quantity: number; unitCost: number; userName: string; createdAt: Date }[];
  comments: { id: string; userName: string; body: string; createdAt: Date }[];
  attachments: { id: string; fileName: string; contentType: string; sizeBytes: number; createdAt: Date; uploadedBy: string }[];
  history: { from: WorkOrderStatus | null; to: WorkOrderStatus; userName: string | null; note: string | null; at: Date }[];
  failureMode: CodeRef;
  failureCause: CodeRef;
  remedy: CodeRef;
  downtimeStart: Date | null;
  downtimeEnd: Date | null;
  /** why a predictive order was opened: the model, its score and remaining life, the inputs and explanation */
  prediction: PredictionView | null;
  /** parts requests raised for this order (a predictive order's parts are decided with it) */
  partsRequests: { id: string; status: PartsRequestStatus; partNumber: string; name: string; unit: string; quantity: number }[];
  allowedTransitions: WorkOrderStatus[];
  canEdit: boolean;
  canAssign: boolean;
}

const code = { select: { code: true, name: true } } as const;
const userName = { select: { name: true } } as const;

/** One work order of the caller's organisation, with everything the detail page shows. */
export async function getWorkOrder(db: Db, user: WorkOrderUser, id: string, now = new Date()): Promise<WorkOrderDetail> {
  const w = await db.workOrder.findFirst({
    where: { id, organizationId: user.organizationId },
    select: {
      ...summarySelect,
      description: true,
      requestedById: true,
      closedById: true,
      startedAt: true,
      completedAt: true,
      checklist: true,
      downtimeStart: true,
      downtimeEnd: true,
      system: { select: { id: true, code: true, name: true, siteId: true } },
      component: { select: { id: true, code: true, name: true, type: true } },
      assignee: { select: { id: true, name: true } },
      requestedBy: { select: { id: true, name: true } },
      alert: { select: { id: true, message: true, severity: true, state: true } },
      failureMode: code,
      failureCause: code,
      remedy: code,
      labour: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, minutes: true, note: true, startedAt: true, createdAt: true, user: userName } },
      partsUsed: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, partId: true, quantity: true, unitCost: true, createdAt: true, user: userName, part: { select: { partNumber: true, name: true, unit: true } } },
      },
      comments: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, body: true, createdAt: true, user: userName } },
      // never the bytes: they are served by GET /api/work-orders/attachments/<id>
      attachments: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, fileName: true, contentType: true, sizeBytes: true, createdAt: true, uploadedBy: userName } },
      statusHistory: { orderBy: [{ at: "asc" }, { id: "asc" }], select: { fromStatus: true, toStatus: true, note: true, at: true, user: userName } },
      prediction: { select: predictionViewSelect },
      partsRequests: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, status: true, quantity: true, part: { select: { partNumber: true, name: true, unit: true } } },
      },
    },
  });
  if (!w) throw notFound("Work order", id);
  const summary = toSummary(w, now);
  const rights = { number: w.number, status: w.status, type: w.type, assigneeId: w.assigneeId, requestedById: w.requestedById, closedById: w.closedById, assigneeName: w.assignee?.name ?? null };
  const labour = w.labour.map((l) => ({ id: l.id, userName: l.user.name, minutes: l.minutes, note: l.note, startedAt: l.startedAt, createdAt: l.createdAt }));
  return {
    ...summary,
    description: w.description,
    system: w.system,
    component: w.component,
    assignee: w.assignee,
    requestedBy: w.requestedBy,
    startedAt: w.startedAt,
    completedAt: w.completedAt,
    // alerts carry a message rather than a title; it is what the inbox shows as the title
    alert: w.alert ? { id: w.alert.id, title: w.alert.message, severity: w.alert.severity, state: w.alert.state } : null,
    checklist: parseChecklist(w.checklist),
    labour,
    labourMinutes: labour.reduce((sum, l) => sum + l.minutes, 0),
    parts: w.partsUsed.map((p) => ({
      id: p.id,
      partId: p.partId,
      partNumber: p.part.partNumber,
      name: p.part.name,
      unit: p.part.unit,
      quantity: p.quantity.toNumber(),
      unitCost: p.unitCost.toNumber(),
      userName: p.user.name,
      createdAt: p.createdAt,
    })),
    comments: w.comments.map((c) => ({ id: c.id, userName: c.user.name, body: c.body, createdAt: c.createdAt })),
    attachments: w.attachments.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, sizeBytes: a.sizeBytes, createdAt: a.createdAt, uploadedBy: a.uploadedBy.name })),
    history: w.statusHistory.map((h) => ({ from: h.fromStatus, to: h.toStatus, userName: h.user?.name ?? null, note: h.note, at: h.at })),
    failureMode: w.failureMode,
    failureCause: w.failureCause,
    remedy: w.remedy,
    downtimeStart: w.downtimeStart,
    downtimeEnd: w.downtimeEnd,
    prediction: w.prediction ? toPredictionView(w.prediction) : null,
    partsRequests: w.partsRequests.map((r) => ({ id: r.id, status: r.status, partNumber: r.part.partNumber, name: r.part.name, unit: r.part.unit, quantity: r.quantity.toNumber() })),
    allowedTransitions: allowedTransitionsFor(user, rights),
    canEdit: editRefusal(user, rights) === null,
    canAssign: hasRole(user.role, "manager"),
  };
}
