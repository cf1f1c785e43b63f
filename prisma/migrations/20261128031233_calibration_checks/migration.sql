-- CreateEnum
CREATE TYPE "calibration_instrument" AS ENUM ('uv_sensor', 'uvt_analyser');

-- CreateEnum
CREATE TYPE "calibration_result" AS ENUM ('pass', 'drift', 'fail');

-- CreateTable
CREATE TABLE "calibration_check" (
    "id" TEXT NOT NULL,
    "system_id" TEXT NOT NULL,
    "component_id" TEXT NOT NULL,
    "instrument" "calibration_instrument" NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,
    "instrument_reading" DOUBLE PRECISION NOT NULL,
    "reference_readings" DOUBLE PRECISION[],
    "deviation" DOUBLE PRECISION NOT NULL,
    "result" "calibration_result" NOT NULL,
    "note" TEXT,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calibration_check_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "calibration_check_system_id_checked_at_idx" ON "calibration_check"("system_id", "checked_at");

-- CreateIndex
CREATE INDEX "calibration_check_component_id_checked_at_idx" ON "calibration_check"("component_id", "checked_at");

-- AddForeignKey
ALTER TABLE "calibration_check" ADD CONSTRAINT "calibration_check_system_id_fkey" FOREIGN KEY ("system_id") REFERENCES "system"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calibration_check" ADD CONSTRAINT "calibration_check_component_id_fkey" FOREIGN KEY ("component_id") REFERENCES "component"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calibration_check" ADD CONSTRAINT "calibration_check_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- hand-written: one to three reference readings (the mean of three reference sensors, or one lab UVT),
-- every reading finite (Prisma cannot express CHECK constraints).
ALTER TABLE "calibration_check"
  ALTER COLUMN "reference_readings" SET NOT NULL,
  ADD CONSTRAINT "calibration_check_reference_count" CHECK (cardinality("reference_readings") BETWEEN 1 AND 3),
  ADD CONSTRAINT "calibration_check_finite" CHECK (
    "instrument_reading" NOT IN ('NaN', 'Infinity', '-Infinity')
    AND "deviation" NOT IN ('NaN', 'Infinity', '-Infinity')
    AND NOT ('NaN' = ANY ("reference_readings") OR 'Infinity' = ANY ("reference_readings") OR '-Infinity' = ANY ("reference_readings"))
  );
