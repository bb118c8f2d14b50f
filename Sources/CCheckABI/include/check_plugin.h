/*
 * check_plugin.h — the plugin contract of `check`, ABI version 1.
 *
 * This header is the normative part of the contract (docs/PLUGIN-ABI.md explains it).
 * A plugin is a shared library that exports one C symbol, `check_plugin_entry`, returning a
 * pointer to a `check_plugin` descriptor with static lifetime. The host reads the first two
 * fields (`abi_version`, `struct_size`) before anything else and refuses a mismatch.
 *
 * Nothing here depends on Swift: a plugin may be written in C, Swift or any language that can
 * export a C function.
 *
 * Thread safety: `evaluate` may be called concurrently from several threads with the same
 * state; a plugin must not mutate shared state after `open` returns.
 */
#ifndef CHECK_PLUGIN_H
#define CHECK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define CHECK_ABI_VERSION 1u
/** The name of the one symbol a plugin exports. */
#define CHECK_ENTRY_SYMBOL "check_plugin_entry"

/* ------------------------------------------------------------------------------------------
 * Documents: JSON values the host has already parsed, as a flat array of nodes in document
 * order (a "tape"). Plugins read applications and rule data through this, never re-parsing.
 * ------------------------------------------------------------------------------------------ */

/** The kind of a JSON value. */
typedef enum check_kind {
    CHECK_NULL = 0,
    CHECK_FALSE = 1,
    CHECK_TRUE = 2,
    CHECK_NUMBER = 3,
    CHECK_STRING = 4,
    CHECK_ARRAY = 5,
    CHECK_OBJECT = 6
} check_kind;

/** `key_offset` of a node that is not an object member; `parent` of the root node. */
#define CHECK_NONE UINT32_MAX

/**
 * One JSON value. Node 0 is the root. The children of an array or object follow their parent
 * directly, in order; `end` is the index just past the whole subtree, so the next sibling of
 * node i is node `nodes[i].end`.
 */
typedef struct check_node {
    uint32_t kind;        /**< a check_kind */
    uint32_t parent;      /**< index of the enclosing array/object, CHECK_NONE for the root */
    uint32_t key_offset;  /**< member name in `text` (UTF-8, unescaped), or CHECK_NONE */
    uint32_t key_length;  /**< member name length in bytes */
    uint32_t text_offset; /**< string: value in `text` (UTF-8, unescaped); number: its source text */
    uint32_t text_length; /**< length of that text in bytes */
    uint32_t count;       /**< array/object: number of direct children */
    uint32_t end;         /**< index of the first node after this subtree */
    double number;        /**< number: the value as a double (finite or not); otherwise 0 */
} check_node;

/** A parsed JSON document. Strings are not NUL-terminated; use offsets and lengths. */
typedef struct check_document {
    const check_node *nodes;
    uint32_t node_count;
    uint32_t reserved;
    const uint8_t *text;
    uint64_t text_length;
} check_document;

/* ------------------------------------------------------------------------------------------
 * Verdicts and findings.
 * ------------------------------------------------------------------------------------------ */

/** A finding's verdict, in order of increasing severity. */
typedef enum check_verdict {
    CHECK_NOT_APPLICABLE = 0, /**< the rule does not concern this application */
    CHECK_PASS = 1,           /**< satisfied, or the claimed benefit is confirmed */
    CHECK_REVIEW = 2,         /**< a person must decide; the message says what is missing */
    CHECK_FAIL = 3,           /**< violated on verified clause text */
    CHECK_ERROR = 4           /**< the rule could not be evaluated; never a pass */
} check_verdict;

/**
 * Host services for reporting findings, passed to every `evaluate` call (the plugin never
 * links against the host). Strings are NUL-terminated UTF-8 and are copied before the call
 * returns. Evidence and citations attach to the most recent `finding`. The sink and its
 * context are valid only until that `evaluate` call returns: never keep them.
 */
typedef struct check_sink {
    uint32_t abi_version; /**< CHECK_ABI_VERSION */
    uint32_t struct_size; /**< sizeof(check_sink) as the host was built */
    void *context;        /**< pass back as the first argument of every function below */
    /** Starts a finding of rule `rule_id` (declared in the descriptor). Both messages are
     *  required unless the request's `message_languages` leaves one out (then it may be NULL). */
    void (*finding)(void *context, const char *rule_id, uint32_t verdict,
                    const char *message_zh, const char *message_en);
    /** Evidence: the application value at `node`; the host derives its JSON path and value. */
    void (*evidence)(void *context, uint32_t node);
    /** Evidence: a field the rule looked for and did not find (a JSON path, e.g. `$.rdCentre`). */
    void (*evidence_absent)(void *context, const char *json_path);
    /** Evidence: a value the rule computed from the application (e.g. the total foreign share). */
    void (*evidence_derived)(void *context, const char *label, const char *value);
    /** Cites a clause by its id in the rule data (`check rules` lists them). */
    void (*cite)(void *context, const char *citation_id);
} check_sink;

/** `message_languages` bits: the Chinese message. */
#define CHECK_MESSAGE_ZH 1u
/** `message_languages` bits: the English message. */
#define CHECK_MESSAGE_EN 2u

/** One evaluation: an application and the date editions are chosen by. */
typedef struct check_request {
    uint32_t struct_size;                /**< sizeof(check_request) as the host was built */
    /** The message languages the host will use (CHECK_MESSAGE_ZH | CHECK_MESSAGE_EN bits; 0
     *  means both, and is what hosts built before this field write). A plugin may pass NULL
     *  to `finding` for a language that is not asked for, and need not build that text; one
     *  that always passes both is still correct. */
    uint32_t message_languages;
    const check_document *application;   /**< the application, already validated (SPEC §3) */
    const char *as_of;                   /**< ISO date "YYYY-MM-DD" */
} check_request;

/* ------------------------------------------------------------------------------------------
 * Loading.
 * ------------------------------------------------------------------------------------------ */

/** One rule-data file of a dataset the plugin asked for (a folder under `rules/`). */
typedef struct check_dataset_file {
    const char *dataset;              /**< the dataset (folder) name, e.g. "negative-list" */
    const char *path;                 /**< the file, for error messages */
    const check_document *document;   /**< its parsed content; valid only during `open` */
} check_dataset_file;

/** Arguments of `open`. */
typedef struct check_open_args {
    uint32_t struct_size;                 /**< sizeof(check_open_args) as the host was built */
    uint32_t file_count;
    const check_dataset_file *files;      /**< every file of every dataset the plugin needs */
    char *error;                          /**< on failure, write a NUL-terminated message here */
    size_t error_capacity;                /**< bytes available at `error` */
} check_open_args;

/** A rule the plugin provides. */
typedef struct check_rule_info {
    const char *id;               /**< "<plugin-id>/<name>", e.g. "negative-list/prohibited" */
    const char *title_zh;
    const char *title_en;
    const char *description_zh;
    const char *description_en;
    const char *const *citations; /**< NULL-terminated ids of the clauses the rule rests on */
} check_rule_info;

/** `flags` bit: `evaluate` may run on several threads at once with the same state (it keeps
 *  nothing per call in static or shared memory). Without it the host calls `evaluate` of this
 *  plugin from one thread at a time, whatever `--jobs` says. Set it only if it is true:
 *  `check test-plugin` evaluates the examples from several threads and compares. */
#define CHECK_PLUGIN_THREAD_SAFE 0x1u
/** Every `flags` bit this header defines. */
#define CHECK_PLUGIN_KNOWN_FLAGS CHECK_PLUGIN_THREAD_SAFE

/** What `check_plugin_entry` returns. Field order is fixed for all ABI versions: the host
 *  reads `abi_version` and `struct_size` first and calls nothing on a mismatch. */
typedef struct check_plugin {
    uint32_t abi_version;          /**< CHECK_ABI_VERSION the plugin was built for */
    uint32_t struct_size;          /**< sizeof(check_plugin) as the plugin was built */
    const char *id;                /**< unique plugin id, e.g. "negative-list" */
    const char *version;           /**< the plugin's own version, e.g. "1.0.0" */
    const char *title_zh;
    const char *title_en;
    const char *const *datasets;   /**< NULL-terminated folder names under rules/ it needs */
    uint32_t rule_count;
    /** CHECK_PLUGIN_* bits (0 in plugins built before the flags were defined: the field was
     *  `reserved` and had to be 0). A host refuses a plugin setting a bit it does not know. */
    uint32_t flags;
    const check_rule_info *rules;
    void *context;                 /**< for the plugin's own use; passed to `open` */
    /** Prepares the plugin from its rule data. Returns 0 and sets *state, or non-zero with a
     *  message in args->error. Called once, before any `evaluate`. */
    int (*open)(void *context, const check_open_args *args, void **state);
    /** Evaluates one application, reporting findings through `sink`. Returns 0, or non-zero
     *  if it could not evaluate (the host then reports an `error` verdict). */
    int (*evaluate)(void *state, const check_request *request, const check_sink *sink);
} check_plugin;

/** The entry point every plugin exports. */
typedef const check_plugin *(*check_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* CHECK_PLUGIN_H */
