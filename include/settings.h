/* settings.h - studio policy kept in the database (table setting). */
#ifndef SMP_SETTINGS_H
#define SMP_SETTINGS_H

struct settings {
	int pause_days_before; /* stop topical products this many days before a session */
	int pause_days_after;  /* and resume this many days after it */
	int minimum_age;       /* youngest client the studio treats */
	char studio_name[128]; /* printed on handouts; "" when not set */
};

/* The values a new database starts with (schema/). */
#define SETTINGS_DEFAULT { 7, 7, 18, "" }

#endif
