ALTER TABLE "tenant_auth"."outbox" ALTER COLUMN "id" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "tenant_auth"."outbox" ADD COLUMN "lease_until" timestamp with time zone;