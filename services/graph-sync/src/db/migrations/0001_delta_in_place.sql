CREATE TABLE "graph_sync"."delta_removed_users" (
	"sync_id" uuid NOT NULL,
	"object_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	CONSTRAINT "delta_removed_users_sync_id_object_id_pk" PRIMARY KEY("sync_id","object_id")
);
--> statement-breakpoint
DROP TABLE "graph_sync"."per_user_mfa" CASCADE;--> statement-breakpoint
ALTER TABLE "graph_sync"."sync_runs" ADD COLUMN "record_inputs" jsonb;--> statement-breakpoint
ALTER TABLE "graph_sync"."tenants" ADD COLUMN "snapshot_id" uuid;--> statement-breakpoint
CREATE INDEX "delta_removed_users_tenant_idx" ON "graph_sync"."delta_removed_users" USING btree ("tenant_id");--> statement-breakpoint
-- the snapshot rows of every tenant so far are its current sync's
UPDATE "graph_sync"."tenants" SET "snapshot_id" = "current_sync_id";
