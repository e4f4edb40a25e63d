/*
 * Stadtallianz publisher plugin for Mosquitto 2.0 (docs/deployment.md, "How devices publish").
 *
 * Mosquitto tells a subscriber nothing about who published a message, so without help the
 * MQTT bridge could not know which lab token sent an observation on `v1.1/Observations` or
 * `v1.1/FeaturesOfInterest(id)/Observations`, where the datastream is named in the payload.
 * This plugin files every message a logged-in client publishes under the ingest prefix
 * (after the broker's ACL allowed it) under
 *
 *     <prefix>from/<user name>/<the rest of the topic>
 *
 * e.g. `ingest/v1.1/Observations` from `lab_1a2b3c4d` becomes
 * `ingest/from/lab_1a2b3c4d/v1.1/Observations`. The bridge reads only `<prefix>from/+/...`
 * and checks each message against the lab of that token. The name cannot be forged: the
 * rewrite applies to every message under the prefix, so whatever a client writes into the
 * topic itself ends up after its own name. A message under the prefix from a client without
 * a user name, or with one that is not a single topic level, is refused.
 *
 * Options: plugin_opt_ingest_prefix (default "ingest/"; MQTT_INGEST_PREFIX).
 * Build: `make mosquitto-plugin` (needs gcc and Debian's mosquitto-dev).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define MARK "from/"

static mosquitto_plugin_id_t *plugin_id;
static char *ingest_prefix;

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	(void)supported_version_count;
	(void)supported_versions;
	return 5;
}

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

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **user_data,
                          struct mosquitto_opt *options, int option_count)
{
	(void)user_data;
	plugin_id = identifier;
	ingest_prefix = mosquitto_strdup("ingest/");
	for (int i = 0; i < option_count; i++) {
		if (strcmp(options[i].key, "ingest_prefix") == 0 && options[i].value[0] != '\0') {
			mosquitto_free(ingest_prefix);
			ingest_prefix = mosquitto_strdup(options[i].value);
		}
	}
	if (ingest_prefix == NULL) {
		return MOSQ_ERR_NOMEM;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "stadtallianz: naming the publisher of messages on %s",
	                     ingest_prefix);
	return mosquitto_callback_register(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *user_data, struct mosquitto_opt *options, int option_count)
{
	(void)user_data;
	(void)options;
	(void)option_count;
	mosquitto_free(ingest_prefix);
	return mosquitto_callback_unregister(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL);
}
