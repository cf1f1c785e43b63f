-- AlterTable
ALTER TABLE "alert" ADD COLUMN     "condition_key" TEXT;

-- CreateIndex
CREATE INDEX "alert_condition_key_idx" ON "alert"("condition_key");
