CREATE TABLE "tenant_auth"."released_tenants" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"released_at" timestamp with time zone NOT NULL
);
