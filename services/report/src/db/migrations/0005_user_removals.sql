CREATE TABLE "report"."o365_user_removals" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"removed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "o365_user_removals_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "report"."tenant_sync_state" ADD COLUMN "full_completed_at" timestamp with time zone;