CREATE SCHEMA "contacts_ingest";
--> statement-breakpoint
CREATE TABLE "contacts_ingest"."backfill_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"contacts_seen" integer DEFAULT 0 NOT NULL,
	"upserted" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"tombstoned" integer DEFAULT 0 NOT NULL,
	"invalid" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "contacts_ingest"."company_mappings" (
	"connection_id" uuid NOT NULL,
	"company_external_id" text NOT NULL,
	"client_id" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "company_mappings_connection_id_company_external_id_pk" PRIMARY KEY("connection_id","company_external_id")
);
--> statement-breakpoint
CREATE TABLE "contacts_ingest"."contacts" (
	"connection_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"psa" text NOT NULL,
	"company_external_id" text,
	"company_name" text,
	"first_name" text,
	"last_name" text,
	"emails" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"phone" text,
	"title" text,
	"active" boolean,
	"psa_updated_at" timestamp with time zone,
	"source_seq" bigint,
	"event_time" timestamp with time zone,
	"deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp with time zone,
	"revision" integer DEFAULT 0 NOT NULL,
	"client_id" uuid,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_run_id" uuid,
	CONSTRAINT "contacts_connection_id_external_id_pk" PRIMARY KEY("connection_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "contacts_ingest"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"subject" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "outbox_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "contacts_ingest"."psa_connections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"psa" text NOT NULL,
	"name" text NOT NULL,
	"base_url" text NOT NULL,
	"credentials" text,
	"credentials_updated_at" timestamp with time zone,
	"webhook_secret" text,
	"previous_webhook_secret" text,
	"previous_secret_valid_until" timestamp with time zone,
	"secret_rotated_at" timestamp with time zone,
	"webhook_auth" jsonb,
	"webhook_deactivated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts_ingest"."webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"psa" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"body" "bytea" NOT NULL,
	"headers" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"outcome" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "contacts_ingest"."backfill_runs" ADD CONSTRAINT "backfill_runs_connection_id_psa_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "contacts_ingest"."psa_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts_ingest"."company_mappings" ADD CONSTRAINT "company_mappings_connection_id_psa_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "contacts_ingest"."psa_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts_ingest"."contacts" ADD CONSTRAINT "contacts_connection_id_psa_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "contacts_ingest"."psa_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts_ingest"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_connection_id_psa_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "contacts_ingest"."psa_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backfill_runs_connection_idx" ON "contacts_ingest"."backfill_runs" USING btree ("connection_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "backfill_runs_active_idx" ON "contacts_ingest"."backfill_runs" USING btree ("connection_id") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "company_mappings_client_idx" ON "contacts_ingest"."company_mappings" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "contacts_company_idx" ON "contacts_ingest"."contacts" USING btree ("connection_id","company_external_id");--> statement-breakpoint
CREATE INDEX "contacts_client_idx" ON "contacts_ingest"."contacts" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "contacts_ingest"."outbox" USING btree ("seq") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "psa_connections_created_idx" ON "contacts_ingest"."psa_connections" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_dedupe_idx" ON "contacts_ingest"."webhook_deliveries" USING btree ("connection_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "contacts_ingest"."webhook_deliveries" USING btree ("next_attempt_at") WHERE status = 'pending';