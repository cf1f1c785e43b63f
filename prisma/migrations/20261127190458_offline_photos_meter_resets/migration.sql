-- AlterTable
ALTER TABLE "work_order_attachment" ADD COLUMN     "client_key" TEXT;

-- AlterTable
ALTER TABLE "maintenance_schedule" ADD COLUMN     "meter_baseline_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "work_order_attachment_client_key_key" ON "work_order_attachment"("client_key");
