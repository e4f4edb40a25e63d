/*
 * Stadtallianz plugin for Mosquitto 2.0 (docs/deployment.md, "MQTT"): names the publisher of
 * every device message and, given a password file, decides who may log in and what each client
 * may read and write, failing closed.
 *
 * 1. Naming the publisher. Mosquitto tells a subscriber nothing about who published a message,
 *    so without help the MQTT bridge could not know which lab token sent an observation on
 *    `v1.1/Observations` or `v1.1/FeaturesOfInterest(id)/Observations`, where the datastream
 *    is named in the payload. Every message a logged-in client publishes under the ingest
 *    prefix (after the ACL allowed it) is filed under
 *
 *        <prefix>from/<user name>/<the rest of the topic>
 *
 *    e.g. `ingest/v1.1/Observations` from `lab_1a2b3c4d` becomes
 *    `ingest/from/lab_1a2b3c4d/v1.1/Observations`. The bridge reads only `<prefix>from/+/...`
 *    and checks each message against the lab of that token. The name cannot be forged: the
 *    rewrite applies to every message under the prefix, so whatever a client writes into the
 *    topic itself ends up after its own name.
 *
 * 2. Logins (with plugin_opt_password_file). The file `stadtallianz mosquitto-config` writes
 *    (`user:$7$iterations$salt$hash`, PBKDF2-SHA512 as mosquitto_passwd writes it) is read at
 *    start and at every reload. A client with a user name logs in only when the file was read
 *    and its password matches. When the file cannot be read, every login with a user name is
 *    refused until it can: Mosquitto's own password_file falls open instead (after a failed
 *    reload it lets anyone in), which is why the configuration uses this plugin rather than
 *    password_file. Clients without a user name are anonymous (allow_anonymous decides).
 *
 * 3. What each client may do (with plugin_opt_password_file), written here rather than in an
 *    ACL file so that no file can open it up:
 *    - everyone reads the notifications (`v1.1/#`) and nothing else;
 *    - the bridge (plugin_opt_bridge_user) also reads `<prefix>#` and writes `v1.1/#`;
 *    - a lab token (a user name starting with plugin_opt_token_prefix, default `lab_`) writes
 *      the create topics `<prefix>v1.1/+/Observations` and `<prefix>v1.1/Observations`;
 *    - nobody else writes anything.
 *
 * Options: ingest_prefix (default "ingest/"), password_file, bridge_user, token_prefix.
 * Build: `make mosquitto-plugin` (gcc, Debian's mosquitto-dev, libmosquitto-dev, libssl-dev).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define MARK "from/"
#define MAX_DIGEST 64
#define MAX_SALT 64
#define MAX_LINE 1024

struct user {
	char *name;
	int iterations;
	unsigned char salt[MAX_SALT];
	int salt_length;
	unsigned char digest[MAX_DIGEST];
	int digest_length;
};

static mosquitto_plugin_id_t *plugin_id;
static char *ingest_prefix;
static char *password_file;
static char *bridge_user;
static char *token_prefix;
static struct user *users;
static int user_count;
static bool users_loaded;

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	(void)supported_version_count;
	(void)supported_versions;
	return 5;
}

static void set_option(char **target, const char *value)
{
	mosquitto_free(*target);
	*target = mosquitto_strdup(value);
}

static void read_options(struct mosquitto_opt *options, int option_count)
{
	for (int i = 0; i < option_count; i++) {
		if (options[i].value == NULL || options[i].value[0] == '\0') {
			continue;
		} else if (strcmp(options[i].key, "ingest_prefix") == 0) {
			set_option(&ingest_prefix, options[i].value);
		} else if (strcmp(options[i].key, "password_file") == 0) {
			set_option(&password_file, options[i].value);
		} else if (strcmp(options[i].key, "bridge_user") == 0) {
			set_option(&bridge_user, options[i].value);
		} else if (strcmp(options[i].key, "token_prefix") == 0) {
			set_option(&token_prefix, options[i].value);
		}
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The password file                                                                        */

static void forget_users(void)
{
	for (int i = 0; i < user_count; i++) {
		mosquitto_free(users[i].name);
	}
	mosquitto_free(users);
	users = NULL;
	user_count = 0;
	users_loaded = false;
}

/* Decodes base64 into out (at most capacity bytes); the length, or -1. */
static int decode_base64(const char *text, unsigned char *out, int capacity)
{
	size_t length = strlen(text);
	unsigned char buffer[3 * (MAX_DIGEST + MAX_SALT)];
	int decoded;

	if (length == 0 || length % 4 != 0 || length / 4 * 3 > sizeof(buffer)) {
		return -1;
	}
	decoded = EVP_DecodeBlock(buffer, (const unsigned char *)text, (int)length);
	if (decoded < 0) {
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (length >= 1 && text[length - 1] == '=') decoded--;
	if (length >= 2 && text[length - 2] == '=') decoded--;
	if (decoded <= 0 || decoded > capacity) {
		return -1;
	}
	memcpy(out, buffer, (size_t)decoded);
	return decoded;
}

/* `name:$7$iterations$salt$digest` into user; false for anything else. */
static bool parse_line(char *line, struct user *user)
{
	char *colon = strchr(line, ':');
	char *iterations, *salt, *digest, *end;

	if (colon == NULL || colon == line || strncmp(colon + 1, "$7$", 3) != 0) {
		return false;
	}
	*colon = '\0';
	iterations = colon + 4;
	salt = strchr(iterations, '$');
	if (salt == NULL) return false;
	*salt++ = '\0';
	digest = strchr(salt, '$');
	if (digest == NULL) return false;
	*digest++ = '\0';
	user->iterations = (int)strtol(iterations, &end, 10);
	if (*end != '\0' || user->iterations < 1) return false;
	user->salt_length = decode_base64(salt, user->salt, MAX_SALT);
	user->digest_length = decode_base64(digest, user->digest, MAX_DIGEST);
	if (user->salt_length < 0 || user->digest_length < 0) return false;
	user->name = mosquitto_strdup(line);
	return user->name != NULL;
}

static void load_users(void)
{
	FILE *file;
	char line[MAX_LINE];
	int capacity = 0;

	forget_users();
	if (password_file == NULL) {
		return;
	}
	file = fopen(password_file, "r");
	if (file == NULL) {
		mosquitto_log_printf(MOSQ_LOG_ERR,
		                     "stadtallianz: cannot read the password file %s: every login with a "
		                     "user name is refused until it can be read", password_file);
		return;
	}
	while (fgets(line, sizeof(line), file) != NULL) {
		struct user user;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#') {
			continue;
		}
		memset(&user, 0, sizeof(user));
		if (!parse_line(line, &user)) {
			mosquitto_log_printf(MOSQ_LOG_WARNING,
			                     "stadtallianz: skipped a line of %s that is not user:$7$...",
			                     password_file);
			continue;
		}
		if (user_count == capacity) {
			struct user *grown;

			capacity = capacity ? capacity * 2 : 64;
			grown = mosquitto_realloc(users, (size_t)capacity * sizeof(struct user));
			if (grown == NULL) {
				mosquitto_free(user.name);
				break;
			}
			users = grown;
		}
		users[user_count++] = user;
	}
	users_loaded = !ferror(file);
	fclose(file);
	if (!users_loaded) {
		forget_users();
		mosquitto_log_printf(MOSQ_LOG_ERR, "stadtallianz: reading %s failed: every login with "
		                     "a user name is refused", password_file);
		return;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "stadtallianz: %d user(s) from %s", user_count,
	                     password_file);
}

static bool password_matches(const struct user *user, const char *password)
{
	unsigned char computed[MAX_DIGEST];

	if (password == NULL) {
		return false;
	}
	if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), user->salt, user->salt_length,
	                       user->iterations, EVP_sha512(), user->digest_length, computed)) {
		return false;
	}
	return CRYPTO_memcmp(computed, user->digest, (size_t)user->digest_length) == 0;
}

static int on_basic_auth(int event, void *event_data, void *user_data)
{
	struct mosquitto_evt_basic_auth *login = event_data;

	(void)event;
	(void)user_data;
	if (login->username == NULL) {
		return MOSQ_ERR_PLUGIN_DEFER; /* anonymous: allow_anonymous decides */
	}
	if (!users_loaded) {
		return MOSQ_ERR_AUTH; /* fail closed */
	}
	for (int i = 0; i < user_count; i++) {
		if (strcmp(users[i].name, login->username) == 0) {
			return password_matches(&users[i], login->password) ? MOSQ_ERR_SUCCESS
			                                                     : MOSQ_ERR_AUTH;
		}
	}
	return MOSQ_ERR_AUTH;
}

/* ---------------------------------------------------------------------------------------- */
/* What each client may do                                                                  */

static bool topic_matches(const char *prefix, const char *filter, const char *topic)
{
	char pattern[512];
	bool result = false;

	if (snprintf(pattern, sizeof(pattern), "%s%s", prefix, filter) >= (int)sizeof(pattern)) {
		return false;
	}
	return mosquitto_topic_matches_sub(pattern, topic, &result) == MOSQ_ERR_SUCCESS && result;
}

static bool starts_with(const char *text, const char *start)
{
	return start != NULL && strncmp(text, start, strlen(start)) == 0;
}

static int on_acl_check(int event, void *event_data, void *user_data)
{
	struct mosquitto_evt_acl_check *check = event_data;
	const char *user = mosquitto_client_username(check->client);
	bool bridge = user != NULL && bridge_user != NULL && strcmp(user, bridge_user) == 0;
	bool token = user != NULL && !bridge && starts_with(user, token_prefix);

	(void)event;
	(void)user_data;
	switch (check->access) {
	case MOSQ_ACL_SUBSCRIBE:
	case MOSQ_ACL_UNSUBSCRIBE:
		return MOSQ_ERR_SUCCESS; /* what is delivered is checked message by message (READ) */
	case MOSQ_ACL_READ:
		if (topic_matches("", "v1.1/#", check->topic)
		    || (bridge && topic_matches(ingest_prefix, "#", check->topic))) {
			return MOSQ_ERR_SUCCESS;
		}
		return MOSQ_ERR_ACL_DENIED;
	case MOSQ_ACL_WRITE:
		if (bridge && topic_matches("", "v1.1/#", check->topic)) {
			return MOSQ_ERR_SUCCESS;
		}
		if (token && (topic_matches(ingest_prefix, "v1.1/+/Observations", check->topic)
		              || topic_matches(ingest_prefix, "v1.1/Observations", check->topic))) {
			return MOSQ_ERR_SUCCESS;
		}
		return MOSQ_ERR_ACL_DENIED;
	default:
		return MOSQ_ERR_ACL_DENIED;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Naming the publisher                                                                     */

static bool one_topic_level(const char *name)
{
	return name[0] != '\0' && strpbrk(name, "/+#") == NULL;
}

static int on_message(int event, void *event_data, void *user_data)
{
	struct mosquitto_evt_message *message = event_data;
	size_t prefix_length = strlen(ingest_prefix);
	const char *user;
	char *topic;
	size_t length;

	(void)event;
	(void)user_data;
	if (strncmp(message->topic, ingest_prefix, prefix_length) != 0) {
		return MOSQ_ERR_SUCCESS; /* a notification or anything else: not ours */
	}
	user = mosquitto_client_username(message->client);
	if (user == NULL || !one_topic_level(user)) {
		mosquitto_log_printf(MOSQ_LOG_NOTICE,
		                     "stadtallianz: refused a message on %s from a client without a "
		                     "usable user name", message->topic);
		return MOSQ_ERR_ACL_DENIED;
	}
	length = strlen(message->topic) + strlen(MARK) + strlen(user) + 2;
	topic = mosquitto_malloc(length);
	if (topic == NULL) {
		return MOSQ_ERR_NOMEM;
	}
	snprintf(topic, length, "%s%s%s/%s", ingest_prefix, MARK, user,
	         message->topic + prefix_length);
	mosquitto_free(message->topic);
	message->topic = topic;
	return MOSQ_ERR_SUCCESS;
}

static int on_reload(int event, void *event_data, void *user_data)
{
	struct mosquitto_evt_reload *reload = event_data;

	(void)event;
	(void)user_data;
	read_options(reload->options, reload->option_count);
	load_users();
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **user_data,
                          struct mosquitto_opt *options, int option_count)
{
	int rc;

	(void)user_data;
	plugin_id = identifier;
	ingest_prefix = mosquitto_strdup("ingest/");
	token_prefix = mosquitto_strdup("lab_");
	read_options(options, option_count);
	if (ingest_prefix == NULL || token_prefix == NULL) {
		return MOSQ_ERR_NOMEM;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "stadtallianz: naming the publisher of messages on %s",
	                     ingest_prefix);
	rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL, NULL);
	if (rc == MOSQ_ERR_SUCCESS && password_file != NULL) {
		load_users();
		rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL,
		                                 NULL);
		if (rc == MOSQ_ERR_SUCCESS) {
			rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check,
			                                 NULL, NULL);
		}
		if (rc == MOSQ_ERR_SUCCESS) {
			rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_RELOAD, on_reload, NULL,
			                                 NULL);
		}
	}
	return rc;
}

int mosquitto_plugin_cleanup(void *user_data, struct mosquitto_opt *options, int option_count)
{
	(void)user_data;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL);
	if (password_file != NULL) {
		mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
		mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
		mosquitto_callback_unregister(plugin_id, MOSQ_EVT_RELOAD, on_reload, NULL);
	}
	forget_users();
	mosquitto_free(ingest_prefix);
	mosquitto_free(password_file);
	mosquitto_free(bridge_user);
	mosquitto_free(token_prefix);
	return MOSQ_ERR_SUCCESS;
}
