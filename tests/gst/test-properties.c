/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The property sweep: what a GStreamer user (gst-inspect-1.0, a launch line,
 * an application poking at properties) can do to an element of the plugin
 * without a frame flowing. For every element factory of plugin "e2call",
 * taken from the registry so that a new element is covered without editing
 * this file:
 *
 * - every readable property is read in NULL, READY, PAUSED, PLAYING and
 *   after returning to NULL, and the value read must be one its own
 *   GParamSpec allows; a new element's own properties read their declared
 *   defaults;
 * - in each of those states every writable property is set to its edge
 *   values: minimum, maximum and default of numbers, both booleans, every
 *   value of an enum, every flag alone and all together, strings NULL, "",
 *   64 KiB long, invalid UTF-8, printf directives and a plain word, boxed
 *   NULL and a sample value. GLib itself refuses out-of-range numbers (with
 *   a warning of its own), so those are not set;
 * - the element is destroyed on its last unref, and GStreamer's leaks
 *   tracer finds no GStreamer object the sweep created still alive.
 *
 * GLib warnings and criticals are fatal (g_log_set_always_fatal below, as
 * G_DEBUG=fatal-warnings would make them). An element may refuse a value
 * with a warning message on its bus (LIBRARY/SETTINGS: an invalid secret
 * or room); any other warning or error message fails the sweep. Other
 * memory leaks are the sanitizer build's and valgrind's to find
 * (meson test --setup=valgrind).
 */
#include <gst/check/gstcheck.h>
#include <string.h>

#include "e2ckey.h"
#include "e2cplugin.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define PLUGIN "e2call"
#define LONG_STRING_LEN (64 * 1024)

static GPtrArray *factory_names; /* of the plugin's element factories, sorted */

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

static void
collect_factories(void)
{
    GList *features = gst_registry_get_feature_list_by_plugin(gst_registry_get(), PLUGIN);

    factory_names = g_ptr_array_new_with_free_func(g_free);
    for (GList *l = features; l; l = l->next)
        if (GST_IS_ELEMENT_FACTORY(l->data))
            g_ptr_array_add(factory_names, g_strdup(GST_OBJECT_NAME(l->data)));
    gst_plugin_feature_list_free(features);
    g_ptr_array_sort(factory_names, compare_names);
}

/* ---- values --------------------------------------------------------------- */

/* A value of a boxed type an element of the plugin can be given, or NULL. */
static gpointer
sample_boxed(GType type)
{
    if (type == E2C_TYPE_KEY) {
        guint8 bytes[E2C_SHARED_KEY_LEN];
        memset(bytes, 0x5a, sizeof(bytes));
        return e2c_key_new_from_bytes(bytes);
    }
    if (type == GST_TYPE_CAPS)
        return gst_caps_new_any();
    if (type == GST_TYPE_STRUCTURE)
        return gst_structure_new_empty("property-sweep");
    return NULL;
}

static void
add_value(GArray *values, GType type, void (*fill)(GValue *, gconstpointer), gconstpointer data)
{
    GValue v = G_VALUE_INIT;
    g_value_init(&v, type);
    fill(&v, data);
    g_array_append_val(values, v);
}

#define ADD_NUMBER(values, ptype, gtype, setter, spec)                                             \
    do {                                                                                           \
        ptype *p_ = (ptype *)(spec);                                                               \
        GValue v_ = G_VALUE_INIT;                                                                  \
        g_value_init(&v_, gtype);                                                                  \
        setter(&v_, p_->minimum);                                                                  \
        g_array_append_val(values, v_);                                                            \
        GValue w_ = G_VALUE_INIT;                                                                  \
        g_value_init(&w_, gtype);                                                                  \
        setter(&w_, p_->maximum);                                                                  \
        g_array_append_val(values, w_);                                                            \
    } while (0)

static void
fill_string(GValue *v, gconstpointer s)
{
    g_value_set_string(v, s);
}

/*
 * The edge values of a writable property, the default last but one and a
 * plain value last, so that the element ends each round configured (a
 * e2csframeenc with a key can start; a secret finds its room).
 */
static GArray *
edge_values(GParamSpec *pspec)
{
    GArray *values = g_array_new(FALSE, TRUE, sizeof(GValue));
    GType type = G_PARAM_SPEC_VALUE_TYPE(pspec);

    g_array_set_clear_func(values, (GDestroyNotify)g_value_unset);
    if (G_IS_PARAM_SPEC_BOOLEAN(pspec)) {
        GValue t = G_VALUE_INIT, f = G_VALUE_INIT;
        g_value_init(&t, G_TYPE_BOOLEAN);
        g_value_set_boolean(&t, TRUE);
        g_value_init(&f, G_TYPE_BOOLEAN);
        g_value_set_boolean(&f, FALSE);
        g_array_append_val(values, t);
        g_array_append_val(values, f);
    } else if (G_IS_PARAM_SPEC_INT(pspec)) {
        ADD_NUMBER(values, GParamSpecInt, G_TYPE_INT, g_value_set_int, pspec);
    } else if (G_IS_PARAM_SPEC_UINT(pspec)) {
        ADD_NUMBER(values, GParamSpecUInt, G_TYPE_UINT, g_value_set_uint, pspec);
    } else if (G_IS_PARAM_SPEC_INT64(pspec)) {
        ADD_NUMBER(values, GParamSpecInt64, G_TYPE_INT64, g_value_set_int64, pspec);
    } else if (G_IS_PARAM_SPEC_UINT64(pspec)) {
        ADD_NUMBER(values, GParamSpecUInt64, G_TYPE_UINT64, g_value_set_uint64, pspec);
    } else if (G_IS_PARAM_SPEC_LONG(pspec)) {
        ADD_NUMBER(values, GParamSpecLong, G_TYPE_LONG, g_value_set_long, pspec);
    } else if (G_IS_PARAM_SPEC_ULONG(pspec)) {
        ADD_NUMBER(values, GParamSpecULong, G_TYPE_ULONG, g_value_set_ulong, pspec);
    } else if (G_IS_PARAM_SPEC_FLOAT(pspec)) {
        ADD_NUMBER(values, GParamSpecFloat, G_TYPE_FLOAT, g_value_set_float, pspec);
    } else if (G_IS_PARAM_SPEC_DOUBLE(pspec)) {
        ADD_NUMBER(values, GParamSpecDouble, G_TYPE_DOUBLE, g_value_set_double, pspec);
    } else if (G_IS_PARAM_SPEC_ENUM(pspec)) {
        GEnumClass *klass = g_type_class_ref(type);
        for (guint i = 0; i < klass->n_values; i++) {
            GValue v = G_VALUE_INIT;
            g_value_init(&v, type);
            g_value_set_enum(&v, klass->values[i].value);
            g_array_append_val(values, v);
        }
        g_type_class_unref(klass);
    } else if (G_IS_PARAM_SPEC_FLAGS(pspec)) {
        GFlagsClass *klass = g_type_class_ref(type);
        for (guint i = 0; i <= klass->n_values; i++) {
            GValue v = G_VALUE_INIT;
            g_value_init(&v, type);
            /* Each flag alone, then all of them. */
            g_value_set_flags(&v, i < klass->n_values ? klass->values[i].value : klass->mask);
            g_array_append_val(values, v);
        }
        g_type_class_unref(klass);
    } else if (G_IS_PARAM_SPEC_STRING(pspec)) {
        gchar *long_string = g_malloc(LONG_STRING_LEN + 1);
        memset(long_string, 'x', LONG_STRING_LEN);
        long_string[LONG_STRING_LEN] = '\0';
        add_value(values, type, fill_string, NULL);
        add_value(values, type, fill_string, "");
        add_value(values, type, fill_string, long_string);
        add_value(values, type, fill_string, "\xff\xfe not \xc3\x28 UTF-8");
        add_value(values, type, fill_string, "%s%n%x");
        g_free(long_string);
    } else if (G_IS_PARAM_SPEC_BOXED(pspec)) {
        GValue none = G_VALUE_INIT;
        g_value_init(&none, type);
        g_array_append_val(values, none);
    } else if (G_IS_PARAM_SPEC_OBJECT(pspec)) {
        GValue none = G_VALUE_INIT;
        g_value_init(&none, type);
        g_array_append_val(values, none);
    }
    /* Anything else (pointers, GStreamer's own fundamental types) is left alone. */
    if (values->len == 0)
        return values;

    GValue def = G_VALUE_INIT;
    g_value_init(&def, type);
    g_param_value_set_default(pspec, &def);
    g_array_append_val(values, def);

    if (G_IS_PARAM_SPEC_STRING(pspec)) {
        /*
         * A room number. No string of the sweep is a valid secret (8 to 256
         * characters): a PBKDF2 derivation per value would make the sweep
         * take minutes under a sanitizer, and the key tests derive enough.
         */
        add_value(values, type, fill_string, "4242");
    } else if (G_IS_PARAM_SPEC_BOXED(pspec)) {
        gpointer sample = sample_boxed(type);
        if (sample) {
            GValue v = G_VALUE_INIT;
            g_value_init(&v, type);
            g_value_take_boxed(&v, sample);
            g_array_append_val(values, v);
        }
    }
    return values;
}

/* ---- the sweep ------------------------------------------------------------ */

/* Properties of GstObject itself (name, parent) are GStreamer's, not the plugin's. */
static gboolean
settable(GParamSpec *pspec)
{
    return (pspec->flags & G_PARAM_WRITABLE) && !(pspec->flags & G_PARAM_CONSTRUCT_ONLY) &&
           pspec->owner_type != GST_TYPE_OBJECT && pspec->owner_type != G_TYPE_OBJECT;
}

static void
read_all(GstElement *e, const gchar *when)
{
    guint n;
    GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);

    for (guint i = 0; i < n; i++) {
        if (!(specs[i]->flags & G_PARAM_READABLE))
            continue;
        GValue v = G_VALUE_INIT;
        g_value_init(&v, G_PARAM_SPEC_VALUE_TYPE(specs[i]));
        g_object_get_property(G_OBJECT(e), specs[i]->name, &v);
        /* The value read is one its own spec allows (validation would change it otherwise). */
        gchar *text = g_strdup_value_contents(&v);
        fail_if(g_param_value_validate(specs[i], &v), "%s:%s read %s: %s, outside its spec",
                GST_OBJECT_NAME(e), specs[i]->name, when, text);
        g_free(text);
        g_value_unset(&v);
    }
    g_free(specs);
}

/*
 * A new element reads the defaults its own properties declare (what
 * gst-inspect-1.0 prints as "Default"). Boxed and object values have none
 * to compare; base classes' properties are theirs.
 */
static void
check_defaults(GstElement *e)
{
    guint n;
    GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);

    for (guint i = 0; i < n; i++) {
        GType type = G_PARAM_SPEC_VALUE_TYPE(specs[i]);
        if (!(specs[i]->flags & G_PARAM_READABLE) || specs[i]->owner_type != G_OBJECT_TYPE(e) ||
            G_TYPE_IS_BOXED(type) || G_TYPE_IS_OBJECT(type) || type == G_TYPE_POINTER)
            continue;
        GValue v = G_VALUE_INIT, def = G_VALUE_INIT;
        g_value_init(&v, type);
        g_value_init(&def, type);
        g_object_get_property(G_OBJECT(e), specs[i]->name, &v);
        g_param_value_set_default(specs[i], &def);
        gchar *got = g_strdup_value_contents(&v), *want = g_strdup_value_contents(&def);
        fail_unless(g_param_values_cmp(specs[i], &v, &def) == 0,
                    "%s:%s reads %s on a new element; its declared default is %s",
                    GST_OBJECT_NAME(e), specs[i]->name, got, want);
        g_free(got);
        g_free(want);
        g_value_unset(&v);
        g_value_unset(&def);
    }
    g_free(specs);
}

static void
set_all(GstElement *e, const gchar *when)
{
    guint n;
    GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);

    for (guint i = 0; i < n; i++) {
        if (!settable(specs[i]))
            continue;
        GArray *values = edge_values(specs[i]);
        for (guint j = 0; j < values->len; j++) {
            GST_DEBUG_OBJECT(e, "%s: setting %s to value %u", when, specs[i]->name, j);
            g_object_set_property(G_OBJECT(e), specs[i]->name, &g_array_index(values, GValue, j));
            read_all(e, when);
        }
        g_array_unref(values);
    }
    g_free(specs);
}

/* Messages on the element's bus: errors never; warnings only for a refused value. */
static void
check_bus(GstBus *bus, const gchar *factory)
{
    GstMessage *msg;

    while ((msg = gst_bus_pop(bus))) {
        GError *err = NULL;
        gchar *debug = NULL;
        switch (GST_MESSAGE_TYPE(msg)) {
        case GST_MESSAGE_ERROR:
            gst_message_parse_error(msg, &err, &debug);
            fail("%s posted an error: %s (%s)", factory, err->message, debug ? debug : "");
            break;
        case GST_MESSAGE_WARNING:
            gst_message_parse_warning(msg, &err, &debug);
            fail_unless(g_error_matches(err, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS),
                        "%s posted a warning other than a refused setting: %s (%s)", factory,
                        err->message, debug ? debug : "");
            /* A refused value is never echoed: it may be a secret, or 64 KiB of anything. */
            fail_unless(strlen(err->message) < 200, "%s echoed a value: %s", factory, err->message);
            break;
        default:
            break;
        }
        g_clear_error(&err);
        g_free(debug);
        gst_message_unref(msg);
    }
}

static void
go_to(GstElement *e, GstState state)
{
    GstStateChangeReturn ret = gst_element_set_state(e, state);
    fail_if(ret == GST_STATE_CHANGE_FAILURE, "%s: no change to %s", GST_OBJECT_NAME(e),
            gst_element_state_get_name(state));
    fail_unless_equals_int(gst_element_get_state(e, NULL, NULL, GST_CLOCK_TIME_NONE),
                           ret == GST_STATE_CHANGE_NO_PREROLL ? GST_STATE_CHANGE_NO_PREROLL
                                                              : GST_STATE_CHANGE_SUCCESS);
}

static void
sweep(const gchar *factory)
{
    static const GstState states[] = {GST_STATE_READY, GST_STATE_PAUSED, GST_STATE_PLAYING};
    GstElement *e = gst_element_factory_make(factory, NULL);
    GstBus *bus = gst_bus_new();

    fail_unless(e != NULL, "no element from factory %s", factory);
    gst_object_ref_sink(e);
    gst_element_set_bus(e, bus);

    read_all(e, "new, in NULL");
    check_defaults(e);
    set_all(e, "in NULL");
    for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
        const gchar *name = gst_element_state_get_name(states[i]);
        go_to(e, states[i]);
        read_all(e, name);
        set_all(e, name);
        check_bus(bus, factory);
    }
    go_to(e, GST_STATE_NULL);
    read_all(e, "back in NULL");
    set_all(e, "back in NULL");
    read_all(e, "back in NULL");
    check_bus(bus, factory);

    gst_element_set_bus(e, NULL);
    gst_object_unref(bus);
    gst_check_object_destroyed_on_unref(e);
}

/* GStreamer's leaks tracer (GST_TRACERS=leaks, set in main), as the gst-leaks test uses it. */
static GstTracer *
leaks_tracer(void)
{
    GList *tracers = gst_tracing_get_active_tracers();
    GstTracer *found = NULL;
    for (GList *l = tracers; l; l = l->next)
        if (!found && g_str_equal(G_OBJECT_TYPE_NAME(l->data), "GstLeaksTracer"))
            found = gst_object_ref(l->data);
    g_list_free_full(tracers, gst_object_unref);
    fail_unless(found != NULL, "no leaks tracer running");
    return found;
}

/* Adds (sign 1) or takes away (sign -1) the checkpoint list's objects, by type and address. */
static void
tally(GHashTable *alive, const GstStructure *checkpoint, const gchar *field, gint sign)
{
    const GValue *list = gst_structure_get_value(checkpoint, field);
    fail_unless(list != NULL && GST_VALUE_HOLDS_LIST(list), "no %s", field);
    for (guint i = 0; i < gst_value_list_get_size(list); i++) {
        const GstStructure *o = gst_value_get_structure(gst_value_list_get_value(list, i));
        gchar *key = g_strdup_printf("%s@%s", gst_structure_get_string(o, "type-name"),
                                     gst_structure_get_string(o, "address"));
        gint n = GPOINTER_TO_INT(g_hash_table_lookup(alive, key)) + sign;
        g_hash_table_insert(alive, key, GINT_TO_POINTER(n));
    }
}

/*
 * The sweep twice: once to create what GStreamer keeps for the life of the
 * process (pad templates, their caps), then under the leaks tracer, after
 * which every GStreamer object created was destroyed again (an address can
 * come back for a new object: objects are counted per type and address).
 */
GST_START_TEST(test_sweep)
{
    const gchar *factory = g_ptr_array_index(factory_names, __i__);
    if (RUNNING_ON_VALGRIND) {
        sweep(factory); /* valgrind reports what is left itself */
        return;
    }
    GstTracer *tracer = leaks_tracer();
    GstStructure *checkpoint = NULL;
    GHashTable *alive = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GString *left = g_string_new(NULL);
    GHashTableIter it;
    gpointer key, value;

    sweep(factory);
    g_signal_emit_by_name(tracer, "activity-start-tracking");
    sweep(factory);
    g_signal_emit_by_name(tracer, "activity-get-checkpoint", &checkpoint);
    g_signal_emit_by_name(tracer, "activity-stop-tracking");
    fail_unless(checkpoint != NULL);
    tally(alive, checkpoint, "objects-created-list", 1);
    tally(alive, checkpoint, "objects-removed-list", -1);

    g_hash_table_iter_init(&it, alive);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (GPOINTER_TO_INT(value) > 0 && left->len < 400)
            g_string_append_printf(left, "%s ", (const gchar *)key);
    fail_unless(left->len == 0, "%s: objects the sweep left alive: %s", factory, left->str);

    g_string_free(left, TRUE);
    g_hash_table_unref(alive);
    gst_structure_free(checkpoint);
    gst_object_unref(tracer);
}
GST_END_TEST;

/*
 * An invalid room is refused when it is set, with one warning that does not
 * echo it, and the room in force stays (before, it was taken, and the key
 * derivation failed later on a worker thread, echoing it).
 */
GST_START_TEST(test_invalid_room_refused)
{
    static const gchar *const elements[] = {"e2csframeenc", "e2csframedec"};
    gchar *too_long = g_strnfill(129, '7');
    const gchar *const invalid[] = {NULL, "", too_long, "tab\there", "caf\xc3\xa9"};

    for (guint i = 0; i < G_N_ELEMENTS(elements); i++) {
        GstElement *e = gst_element_factory_make(elements[i], NULL);
        GstBus *bus = gst_bus_new();
        gchar *room = NULL;

        gst_object_ref_sink(e);
        gst_element_set_bus(e, bus);
        g_object_set(e, "room", "0042", NULL);
        for (guint j = 0; j < G_N_ELEMENTS(invalid); j++) {
            g_object_set(e, "room", invalid[j], NULL);
            GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
            GError *err = NULL;
            fail_unless(msg != NULL, "%s took room %u without a warning", elements[i], j);
            gst_message_parse_warning(msg, &err, NULL);
            fail_unless(g_error_matches(err, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
            fail_if(invalid[j] && *invalid[j] && strstr(err->message, invalid[j]),
                    "the room was echoed: %s", err->message);
            g_error_free(err);
            gst_message_unref(msg);
            g_object_get(e, "room", &room, NULL);
            fail_unless_equals_string(room, "0042");
            g_free(room);
        }
        /* Warnings only: refusing a value is no error. */
        check_bus(bus, elements[i]);
        gst_element_set_bus(e, NULL);
        gst_object_unref(bus);
        gst_check_object_destroyed_on_unref(e);
    }
    g_free(too_long);
}
GST_END_TEST;

/* The sweep covers the plugin: its elements are found, and all four known ones among them. */
GST_START_TEST(test_factories_found)
{
    static const gchar *const known[] = {"e2csframeenc", "e2csframedec", "e2csframevp8pay",
                                         "e2crtpforward"};
    for (guint i = 0; i < G_N_ELEMENTS(known); i++) {
        gboolean found = FALSE;
        for (guint j = 0; j < factory_names->len; j++)
            found |= g_str_equal(g_ptr_array_index(factory_names, j), known[i]);
        fail_unless(found, "plugin %s has no element %s", PLUGIN, known[i]);
    }
}
GST_END_TEST;

static Suite *
properties_suite(void)
{
    Suite *s = suite_create("properties");
    TCase *tc = tcase_create("sweep");

    /* What G_DEBUG=fatal-warnings would do: a GLib warning or critical ends the test. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    e2c_plugin_register_static();
    collect_factories();
    suite_add_tcase(s, tc);
    tcase_add_test(tc, test_factories_found);
    tcase_add_test(tc, test_invalid_room_refused);
    tcase_add_loop_test(tc, test_sweep, 0, (gint)factory_names->len);
    return s;
}

int
main(int argc, char **argv)
{
    /*
     * Before GStreamer starts: the tracer must see every object created.
     * Not under valgrind, which finds leaks itself and would report the
     * tracer, which GStreamer keeps until gst_deinit().
     */
    if (!RUNNING_ON_VALGRIND)
        g_setenv("GST_TRACERS", "leaks", TRUE);
    gst_check_init(&argc, &argv);
    return gst_check_run_suite(properties_suite(), "properties", __FILE__);
}
