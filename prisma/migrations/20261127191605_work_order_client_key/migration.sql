-- AlterTable
ALTER TABLE "work_order" ADD COLUMN     "client_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "work_order_client_key_key" ON "work_order"("client_key");
