ALTER TABLE "report"."o365_user_addresses" DROP CONSTRAINT "o365_user_addresses_tenant_id_user_id_o365_users_tenant_id_user_id_fk";
--> statement-breakpoint
ALTER TABLE "report"."o365_user_addresses" DROP CONSTRAINT "o365_user_addresses_tenant_id_user_id_kind_address_pk";--> statement-breakpoint
CREATE INDEX "o365_user_addresses_user_idx" ON "report"."o365_user_addresses" USING btree ("tenant_id","user_id");