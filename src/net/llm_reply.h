/* llm_reply.h — what we ask an OpenAI-compatible model for, and what we
 * accept back.
 *
 * Four kinds of job: a quest's texts (title, description, objective texts),
 * an event's name and description, a villager's line, and a story branch
 * (its choice and passage, and optional conditions and consequences in the
 * rule language). Each has its instructions and a JSON schema (sent as
 * response_format), and a validator that every reply goes through before
 * anything is used:
 *
 *   - the reply envelope must parse (choices[0].message.content,
 *     finish_reason "stop" — "length" means the text was cut: refused),
 *   - the content must be one JSON object with only the kind's fields, of the
 *     right types; ids (a quest's objectives) must be the job's own,
 *   - strings are stripped of control characters, terminal escape sequences
 *     and bidirectional overrides, capped, and must not be empty,
 *   - a string that repeats the prompt (48 bytes of it or more) is refused,
 *   - a branch's conditions and consequences pass the rule language's own
 *     validation (rules_validate_condition / rules_validate_effects) after
 *     numbers are clamped to the ranges allowed here; only give, take,
 *     experience, relationship, flag and message are allowed as
 *     consequences (world edits stay with the offline rules), and items and
 *     quests must exist.
 *
 * Pure code: no network, no save. The fuzz target fuzz_llm_reply feeds it. */
#ifndef MA_NET_LLM_REPLY_H
#define MA_NET_LLM_REPLY_H

#include <stddef.h>

#include <cJSON.h>

typedef enum LlmKind { LLM_QUEST, LLM_EVENT, LLM_LINE, LLM_BRANCH, LLM_KIND_COUNT } LlmKind;

/* Caps, in bytes, of what a reply may write. */
enum {
    LLM_MAX_TITLE = 80,       /* a quest title or an event name */
    LLM_MAX_DESCRIPTION = 480,
    LLM_MAX_OBJECTIVE = 100,
    LLM_MAX_LINE = 190,       /* a villager's line */
    LLM_MAX_CHOICE = 120,     /* a branch's choice (story_book.h: STORY_MAX_CHOICE) */
    LLM_MAX_PASSAGE = 1400,   /* a branch's passage (STORY_MAX_TEXT) */
    LLM_ECHO_WINDOW = 48,     /* bytes of the prompt that a reply may not repeat */
};

const char *llm_kind_name(LlmKind k); /* "quest", "event", "line", "branch" */
/* The system instructions of a kind. */
const char *llm_kind_instructions(LlmKind k);
/* The JSON schema of a kind's reply (a JSON text). */
const char *llm_kind_schema(LlmKind k);
/* max_tokens for a kind's request. */
int llm_kind_max_tokens(LlmKind k);

/* The parts of a chat completion's body that matter. */
typedef struct LlmEnvelope {
    char *content;      /* heap (the caller frees with llm_envelope_clear) */
    char finish[24];    /* "stop", "length", ... ("" when absent) */
    char model[128];
    long prompt_tokens, completion_tokens, total_tokens; /* -1 when not given */
} LlmEnvelope;

/* Parses a response body. 0, or -1 with why (an error reply's own message
 * when it has one). A finish_reason of "length" is refused here. */
int llm_envelope_parse(const char *body, size_t len, LlmEnvelope *out, char *why, size_t why_size);
void llm_envelope_clear(LlmEnvelope *e);

/* What a reply may refer to, from the job. */
typedef struct LlmExpect {
    LlmKind kind;
    const char *const *objective_ids; /* LLM_QUEST: the quest's objective ids */
    int n_objectives;
    const char *prompt;               /* instructions and context, for the echo check (may be NULL) */
    /* LLM_BRANCH: names that must exist (NULL: not checked) */
    int (*item_exists)(void *ud, const char *name);
    int (*quest_exists)(void *ud, const char *name);
    void *ud;
} LlmExpect;

/* Validates a reply's content (the model's text). On success *out is a new
 * object holding only the cleaned fields, in the kind's shape:
 *   quest:  {"title", "description", "objectives": [{"id", "text"}]}
 *   event:  {"name", "description"}
 *   line:   {"line"}
 *   branch: {"choice", "text", "conditions"?, "consequences"?}
 * Returns 0, or -1 with why (short, fit to send back to the model). */
int llm_reply_validate(const LlmExpect *ex, const char *content, cJSON **out, char *why, size_t why_size);

/* Copies untrusted text into out (cap bytes, cap > 0): drops terminal escape
 * sequences (CSI, OSC, DCS and the rest), C0 and C1 control characters, DEL,
 * bidirectional overrides and bytes that are not UTF-8; tabs become spaces,
 * newlines are kept only when `newlines` (else spaces); spaces are trimmed
 * at both ends; cut at a character boundary (at the last word, with "...")
 * when longer. Returns the length written. */
size_t llm_clean_text(const char *in, char *out, size_t cap, int newlines);

#endif
