CREATE SCHEMA "graph_sync";
--> statement-breakpoint
CREATE TABLE "graph_sync"."directory_objects" (
	"sync_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"object_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"data" jsonb NOT NULL,
	"per_user_state" text,
	"record" jsonb,
	"mfa_status" text,
	"touched" boolean DEFAULT false NOT NULL,
	"publish_batch" integer,
	CONSTRAINT "directory_objects_sync_id_kind_object_id_pk" PRIMARY KEY("sync_id","kind","object_id")
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."per_user_mfa" (
	"sync_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"state" text NOT NULL,
	CONSTRAINT "per_user_mfa_sync_id_user_id_pk" PRIMARY KEY("sync_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."registrations" (
	"sync_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"is_mfa_registered" boolean NOT NULL,
	"is_admin" boolean,
	"methods" jsonb NOT NULL,
	CONSTRAINT "registrations_sync_id_user_id_pk" PRIMARY KEY("sync_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."skus" (
	"sync_id" uuid NOT NULL,
	"sku_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "skus_sync_id_sku_id_pk" PRIMARY KEY("sync_id","sku_id")
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."sync_attempts" (
	"sync_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"tenant_id" uuid NOT NULL,
	"worker" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"outcome" text,
	"error" text,
	CONSTRAINT "sync_attempts_sync_id_attempt_pk" PRIMARY KEY("sync_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."sync_removals" (
	"sync_id" uuid NOT NULL,
	"object_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"batch" integer NOT NULL,
	CONSTRAINT "sync_removals_sync_id_object_id_pk" PRIMARY KEY("sync_id","object_id")
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."sync_runs" (
	"sync_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"requested_mode" text NOT NULL,
	"mode" text,
	"phase" text DEFAULT 'queued' NOT NULL,
	"outcome" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"users_processed" integer DEFAULT 0 NOT NULL,
	"counts" jsonb,
	"batches" jsonb,
	"mfa_source" text,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"previous_sync_id" uuid,
	"delta_link" text,
	"published" jsonb DEFAULT '{"skus":false,"upserted":0,"removed":0,"completed":false}'::jsonb NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"committed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."tenant_leases" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"sync_id" uuid NOT NULL,
	"holder" text NOT NULL,
	"acquired_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "graph_sync"."tenants" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"display_name" text,
	"status" text NOT NULL,
	"status_at" timestamp with time zone NOT NULL,
	"sync_interval_minutes" integer,
	"next_sync_at" timestamp with time zone,
	"current_sync_id" uuid,
	"delta_link" text,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "directory_objects_object_idx" ON "graph_sync"."directory_objects" USING btree ("sync_id","object_id");--> statement-breakpoint
CREATE INDEX "directory_objects_batch_idx" ON "graph_sync"."directory_objects" USING btree ("sync_id","publish_batch");--> statement-breakpoint
CREATE INDEX "directory_objects_tenant_idx" ON "graph_sync"."directory_objects" USING btree ("tenant_id","sync_id");--> statement-breakpoint
CREATE INDEX "per_user_mfa_tenant_idx" ON "graph_sync"."per_user_mfa" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "registrations_tenant_idx" ON "graph_sync"."registrations" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "skus_tenant_idx" ON "graph_sync"."skus" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "sync_attempts_tenant_idx" ON "graph_sync"."sync_attempts" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE INDEX "sync_removals_batch_idx" ON "graph_sync"."sync_removals" USING btree ("sync_id","batch");--> statement-breakpoint
CREATE INDEX "sync_runs_tenant_idx" ON "graph_sync"."sync_runs" USING btree ("tenant_id","requested_at","sync_id");--> statement-breakpoint
CREATE INDEX "sync_runs_phase_idx" ON "graph_sync"."sync_runs" USING btree ("tenant_id","phase");--> statement-breakpoint
CREATE INDEX "tenants_client_idx" ON "graph_sync"."tenants" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "tenants_due_idx" ON "graph_sync"."tenants" USING btree ("status","next_sync_at");