DROP INDEX "graph_sync"."directory_objects_object_idx";--> statement-breakpoint
DROP INDEX "graph_sync"."directory_objects_batch_idx";--> statement-breakpoint
ALTER TABLE "graph_sync"."directory_objects" DROP CONSTRAINT "directory_objects_sync_id_kind_object_id_pk";--> statement-breakpoint
ALTER TABLE "graph_sync"."directory_objects" ADD CONSTRAINT "directory_objects_sync_id_object_id_kind_pk" PRIMARY KEY("sync_id","object_id","kind");--> statement-breakpoint
CREATE INDEX "directory_objects_others_idx" ON "graph_sync"."directory_objects" USING btree ("sync_id","kind") WHERE kind <> 'user';--> statement-breakpoint
CREATE INDEX "directory_objects_batch_idx" ON "graph_sync"."directory_objects" USING btree ("sync_id","publish_batch") WHERE publish_batch is not null;