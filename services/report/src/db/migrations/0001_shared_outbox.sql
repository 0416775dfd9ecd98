ALTER TABLE "report"."outbox" RENAME COLUMN "event" TO "payload";--> statement-breakpoint
DROP INDEX "report"."outbox_unsent_idx";--> statement-breakpoint
-- the outbox is keyed by seq now; drizzle-kit cannot name the old key: Postgres called the inline one outbox_pkey
ALTER TABLE "report"."outbox" DROP CONSTRAINT "outbox_pkey";--> statement-breakpoint
ALTER TABLE "report"."outbox" ADD COLUMN "seq" bigserial PRIMARY KEY NOT NULL;--> statement-breakpoint
ALTER TABLE "report"."outbox" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "report"."outbox" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "report"."outbox" ADD COLUMN "last_error" text;--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "report"."outbox" USING btree ("seq") WHERE sent_at is null;--> statement-breakpoint
ALTER TABLE "report"."outbox" ADD CONSTRAINT "outbox_id_unique" UNIQUE("id");