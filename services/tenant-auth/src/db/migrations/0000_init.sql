CREATE SCHEMA "tenant_auth";
--> statement-breakpoint
CREATE TABLE "tenant_auth"."clients" (
	"client_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tenant_auth"."connect_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"requested_by" text NOT NULL,
	"tenant_hint" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"outcome" text,
	"tenant_id" uuid,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "tenant_auth"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"subject" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "outbox_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "tenant_auth"."tenant_credentials" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"app_client_id" uuid NOT NULL,
	"credential_type" text NOT NULL,
	"key_id" text NOT NULL,
	"ciphertext" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_auth"."tenants" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"status" text NOT NULL,
	"display_name" text,
	"connected_at" timestamp with time zone,
	"disconnected_at" timestamp with time zone,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"last_sync_at" timestamp with time zone,
	"last_sync_outcome" text,
	"last_sync_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenant_auth"."token_cache" (
	"partition_key" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"ciphertext" text NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "connect_attempts_client_idx" ON "tenant_auth"."connect_attempts" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "tenant_auth"."outbox" USING btree ("seq") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "tenants_client_idx" ON "tenant_auth"."tenants" USING btree ("client_id","tenant_id");--> statement-breakpoint
CREATE INDEX "token_cache_tenant_idx" ON "tenant_auth"."token_cache" USING btree ("tenant_id");