-- Writers of the old columns (graph-sync pods of the previous release) wait here until this commits, so no record
-- written meanwhile misses the copy below; afterwards their record statements fail (retried by the new pods).
LOCK TABLE "graph_sync"."directory_objects" IN EXCLUSIVE MODE;--> statement-breakpoint
CREATE TABLE "graph_sync"."object_records" (
	"sync_id" uuid NOT NULL,
	"object_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"record" jsonb NOT NULL,
	"publish_batch" integer,
	CONSTRAINT "object_records_sync_id_object_id_pk" PRIMARY KEY("sync_id","object_id")
);
--> statement-breakpoint
DROP INDEX "graph_sync"."directory_objects_batch_idx";--> statement-breakpoint
CREATE INDEX "object_records_batch_idx" ON "graph_sync"."object_records" USING btree ("sync_id","publish_batch") WHERE publish_batch is not null;--> statement-breakpoint
-- records computed before this migration (the snapshots' and a sync's being published) move along
INSERT INTO "graph_sync"."object_records" ("sync_id", "object_id", "kind", "record", "publish_batch")
SELECT "sync_id", "object_id", "kind", "record", "publish_batch" FROM "graph_sync"."directory_objects" WHERE "record" IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "graph_sync"."directory_objects" DROP COLUMN "record";--> statement-breakpoint
ALTER TABLE "graph_sync"."directory_objects" DROP COLUMN "mfa_status";--> statement-breakpoint
ALTER TABLE "graph_sync"."directory_objects" DROP COLUMN "touched";--> statement-breakpoint
ALTER TABLE "graph_sync"."directory_objects" DROP COLUMN "publish_batch";