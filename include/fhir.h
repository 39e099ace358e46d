/* fhir.h - our questions and intakes in HL7 FHIR R4: the Questionnaire
 * resource of the questions, and a Bundle of QuestionnaireResponse
 * resources, one per intake, each followed by its course (Procedure,
 * Media, Consent), written one intake at a time (docs/export.md, "FHIR
 * R4").  Made in src/json_fhir.c. */
#ifndef SMP_FHIR_H
#define SMP_FHIR_H

#include <stdbool.h>
#include <stdio.h>

#include "intake.h"

/* Our own names for things.  .invalid (RFC 2606) never resolves: these
 * are identifiers, not addresses to fetch. */
#define FHIR_BASE "http://smp-intake.invalid/fhir/"
/* The Questionnaire's canonical URL (with "|" QUESTIONNAIRE_VERSION in a
 * response). */
#define FHIR_QUESTIONNAIRE_URL FHIR_BASE "Questionnaire/smp-intake-consultation"
/* The code system of a choice question's answers is this followed by the
 * question id; the codes are the stored answers ("foam"). */
#define FHIR_CODESYSTEM_BASE FHIR_BASE "CodeSystem/"
/* The identifier system of a client number (unique within one database). */
#define FHIR_CLIENT_ID_SYSTEM FHIR_BASE "client-id"
/* The code system of the screening flags; the codes are the flag ids
 * (flags.h). */
#define FHIR_FLAG_CODESYSTEM FHIR_CODESYSTEM_BASE "screening-flag"
/* Our extensions (docs/export.md, "The consultation record in FHIR"): on a
 * response, a reference to each contained Flag, the advice version, and
 * the client's acknowledgement; on a Flag, its clearance. */
#define FHIR_SCREENING_FLAG_URL  FHIR_BASE "StructureDefinition/screening-flag"
#define FHIR_ADVICE_VERSION_URL  FHIR_BASE "StructureDefinition/advice-version"
#define FHIR_ACKNOWLEDGEMENT_URL FHIR_BASE "StructureDefinition/acknowledgement"
#define FHIR_FLAG_CLEARANCE_URL  FHIR_BASE "StructureDefinition/flag-clearance"

/* The Questionnaire resource of our questions as questionnaire version
 * `version` asked them (a known version, questionnaire_version_known();
 * NULL: the current one), indented for reading, with a final newline.
 * Returns allocated memory the caller frees, or NULL (errno ENOMEM) when
 * out of memory. */
char *fhir_questionnaire(const char *version);

/* A collection Bundle written to f in three steps: fhir_bundle_begin()
 * with the time of the export (UTC, YYYY-MM-DDTHH:MM:SSZ), then
 * fhir_bundle_entry() once per intake (first: whether it is the first
 * entry), then fhir_bundle_end() (any: whether there was an entry; FHIR
 * allows no empty array).  Only one intake is in memory at a time.  Each
 * returns 0, or -1 with errno set (a write error of f, or ENOMEM); after
 * an error the output is unfinished and should be thrown away. */
int fhir_bundle_begin(FILE *f, const char *exported_at);
int fhir_bundle_entry(FILE *f, const struct intake *in, bool first);
int fhir_bundle_end(FILE *f, bool any);

/* Our extensions on a session's Procedure: the pigment (brand, shade,
 * lot, lotExpiry, needle, dilution) and the consultation it followed (a
 * reference to the intake's QuestionnaireResponse). */
#define FHIR_PIGMENT_URL      FHIR_BASE "StructureDefinition/pigment"
#define FHIR_CONSULTATION_URL FHIR_BASE "StructureDefinition/consultation"

/* A session of intake in as a Procedure entry of the Bundle, after the
 * intake's own entry (fhir_bundle_entry()): status completed,
 * performedDateTime, performer[].actor.display the artist, bodySite the
 * areas (text), note, the pigment lot in our extension, the patch test's
 * reaction as outcome, subject the contained Patient.  Returns as
 * fhir_bundle_entry(). */
int fhir_bundle_procedure(FILE *f, const struct intake *in, const struct session *s);

/* Our extension on a photo's Media.content: the SHA-256 of its bytes
 * (lower-case hex), since R4's Attachment.hash is SHA-1.  The code system
 * of a consent's kind (Consent.category): photos, marketing. */
#define FHIR_SHA256_URL               FHIR_BASE "StructureDefinition/sha256"
#define FHIR_PHOTO_CONSENT_CODESYSTEM FHIR_CODESYSTEM_BASE "photo-consent"

/* A photo of intake in (taken at it, or at its session session_uuid) as a
 * Media entry, after the intake's Procedures: its metadata only (view,
 * media type, size, SHA-256, when added and by whom), never the bytes;
 * partOf the session's Procedure.  Returns as fhir_bundle_entry(). */
int fhir_bundle_media(FILE *f, const struct intake *in, const struct photo *p,
		      const char *session_uuid);

/* A consent row of intake in as a Consent entry, after its Media: active
 * for the client's latest row of its kind (c->latest), inactive for one
 * superseded; provision permit (yes) or deny (no).  n: the row's place
 * among the intake's consent rows, from 1, which with the intake's UUID
 * makes the Consent's (uuid_v5_url()).  Returns as fhir_bundle_entry(). */
int fhir_bundle_consent(FILE *f, const struct intake *in, const struct consent_row *c, size_t n);

#endif
