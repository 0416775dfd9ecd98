-- A staged batch is about 250 kB of JSON, compressed on its way into TOAST. lz4 compresses it in about
-- a third of pglz's time (psql: 100 batches, 105-116 ms against 258-303 ms), and a sync's batches are
-- written one after another while graph-sync publishes them. Servers built without lz4 (PGlite, the
-- embedded mode) keep pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "report"."staged_batches" ALTER COLUMN "payload" SET COMPRESSION lz4;
  END IF;
END $$;
