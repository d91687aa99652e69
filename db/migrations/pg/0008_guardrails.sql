CREATE TABLE "contacts" (
	"key" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"channel" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "contacts_subject" ON "contacts" USING btree ("subject","channel","at");