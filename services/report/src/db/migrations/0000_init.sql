CREATE SCHEMA "report";
--> statement-breakpoint
CREATE TABLE "report"."clients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."contact_addresses" (
	"psa" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"client_id" uuid NOT NULL,
	"address" text NOT NULL,
	"is_primary" boolean NOT NULL,
	CONSTRAINT "contact_addresses_psa_connection_id_external_id_address_pk" PRIMARY KEY("psa","connection_id","external_id","address")
);
--> statement-breakpoint
CREATE TABLE "report"."contacts" (
	"psa" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"client_id" uuid NOT NULL,
	"revision" bigint NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"first_name" text,
	"last_name" text,
	"primary_email" text,
	"emails" jsonb NOT NULL,
	"phone" text,
	"title" text,
	"company_external_id" text,
	"company_name" text,
	"active" boolean,
	"updated_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_psa_connection_id_external_id_pk" PRIMARY KEY("psa","connection_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "report"."deleted_clients" (
	"client_id" uuid PRIMARY KEY NOT NULL,
	"deleted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."o365_skus" (
	"tenant_id" uuid NOT NULL,
	"sku_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"sku_part_number" text NOT NULL,
	"product_name" text NOT NULL,
	"capability_status" text NOT NULL,
	"total" integer NOT NULL,
	"assigned" integer NOT NULL,
	"suspended" integer NOT NULL,
	"warning" integer NOT NULL,
	CONSTRAINT "o365_skus_tenant_id_sku_id_pk" PRIMARY KEY("tenant_id","sku_id")
);
--> statement-breakpoint
CREATE TABLE "report"."o365_user_addresses" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"address" text NOT NULL,
	"kind" text NOT NULL,
	"rank" smallint NOT NULL,
	CONSTRAINT "o365_user_addresses_tenant_id_user_id_kind_address_pk" PRIMARY KEY("tenant_id","user_id","kind","address")
);
--> statement-breakpoint
CREATE TABLE "report"."o365_users" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"display_name" text,
	"user_principal_name" text,
	"mail" text,
	"other_mails" jsonb NOT NULL,
	"proxy_addresses" jsonb NOT NULL,
	"user_type" text,
	"account_enabled" boolean,
	"deleted" boolean NOT NULL,
	"deleted_at" timestamp with time zone,
	"licenses" jsonb NOT NULL,
	"mfa" jsonb NOT NULL,
	"mfa_status" text NOT NULL,
	"sort_name" text NOT NULL,
	"sync_id" uuid NOT NULL,
	"synced_at" timestamp with time zone NOT NULL,
	CONSTRAINT "o365_users_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "report"."outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"event" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "report"."pending_versions" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."processed_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."report_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"status" text NOT NULL,
	"template_id" uuid NOT NULL,
	"template_name" text NOT NULL,
	"template_revision" integer NOT NULL,
	"merge_mode" text NOT NULL,
	"columns" jsonb NOT NULL,
	"row_count" integer,
	"license_summary" jsonb,
	"mfa_summary" jsonb,
	"merge_stats" jsonb,
	"source" jsonb,
	"error" text,
	"shared" boolean DEFAULT false NOT NULL,
	"shared_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"built_at" timestamp with time zone,
	CONSTRAINT "report_versions_number_key" UNIQUE("report_id","number")
);
--> statement-breakpoint
CREATE TABLE "report"."reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"name" text NOT NULL,
	"template_id" uuid NOT NULL,
	"last_version_number" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."staged_batches" (
	"sync_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"batch" integer NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "staged_batches_sync_id_kind_batch_pk" PRIMARY KEY("sync_id","kind","batch")
);
--> statement-breakpoint
CREATE TABLE "report"."staged_skus" (
	"sync_id" uuid PRIMARY KEY NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."staged_syncs" (
	"sync_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"completion" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "report"."templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"merge_mode" text NOT NULL,
	"columns" jsonb NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."tenant_sync_state" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"sync_id" uuid NOT NULL,
	"mode" text NOT NULL,
	"completed_at" timestamp with time zone NOT NULL,
	"skus_sync_id" uuid,
	"skus_completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "report"."tenants" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"display_name" text,
	"status" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report"."version_rows" (
	"version_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"row_key" text NOT NULL,
	"display_name" text,
	"email" text,
	"licenses" jsonb,
	"mfa_status" text,
	"matched_by" text,
	"values" jsonb NOT NULL,
	CONSTRAINT "version_rows_version_id_row_number_pk" PRIMARY KEY("version_id","row_number")
);
--> statement-breakpoint
ALTER TABLE "report"."contact_addresses" ADD CONSTRAINT "contact_addresses_psa_connection_id_external_id_contacts_psa_connection_id_external_id_fk" FOREIGN KEY ("psa","connection_id","external_id") REFERENCES "report"."contacts"("psa","connection_id","external_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."o365_user_addresses" ADD CONSTRAINT "o365_user_addresses_tenant_id_user_id_o365_users_tenant_id_user_id_fk" FOREIGN KEY ("tenant_id","user_id") REFERENCES "report"."o365_users"("tenant_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."pending_versions" ADD CONSTRAINT "pending_versions_version_id_report_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "report"."report_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."report_versions" ADD CONSTRAINT "report_versions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "report"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."reports" ADD CONSTRAINT "reports_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "report"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."reports" ADD CONSTRAINT "reports_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "report"."templates"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."staged_batches" ADD CONSTRAINT "staged_batches_sync_id_staged_syncs_sync_id_fk" FOREIGN KEY ("sync_id") REFERENCES "report"."staged_syncs"("sync_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."staged_skus" ADD CONSTRAINT "staged_skus_sync_id_staged_syncs_sync_id_fk" FOREIGN KEY ("sync_id") REFERENCES "report"."staged_syncs"("sync_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report"."version_rows" ADD CONSTRAINT "version_rows_version_id_report_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "report"."report_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_addresses_client_address_idx" ON "report"."contact_addresses" USING btree ("client_id","address");--> statement-breakpoint
CREATE INDEX "contacts_client_idx" ON "report"."contacts" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "o365_skus_client_idx" ON "report"."o365_skus" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "o365_user_addresses_address_idx" ON "report"."o365_user_addresses" USING btree ("address");--> statement-breakpoint
CREATE INDEX "o365_users_client_order_idx" ON "report"."o365_users" USING btree ("client_id","sort_name","tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "o365_users_tenant_sync_idx" ON "report"."o365_users" USING btree ("tenant_id","sync_id");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "report"."outbox" USING btree ("created_at") WHERE "report"."outbox"."sent_at" is null;--> statement-breakpoint
CREATE INDEX "reports_client_idx" ON "report"."reports" USING btree ("client_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tenants_client_idx" ON "report"."tenants" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "version_rows_key_idx" ON "report"."version_rows" USING btree ("version_id","row_key");