-- AlterTable
ALTER TABLE "maintenance_schedule" ADD COLUMN     "condition_since" TIMESTAMPTZ(3);
