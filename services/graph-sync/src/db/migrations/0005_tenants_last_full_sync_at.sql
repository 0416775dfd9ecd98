ALTER TABLE "graph_sync"."tenants" ADD COLUMN "last_full_sync_at" timestamp with time zone;--> statement-breakpoint
-- from the runs, so that existing tenants are not all due for a full sync right after the deploy
UPDATE "graph_sync"."tenants" t SET "last_full_sync_at" = (
  SELECT max(r."committed_at") FROM "graph_sync"."sync_runs" r
  WHERE r."tenant_id" = t."tenant_id" AND r."mode" = 'full' AND r."committed_at" IS NOT NULL
);
