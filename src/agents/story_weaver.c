/* story_weaver.c — extends storylines from what the player has done.
 *
 * Waits for the storylines of issue 9 (stories played from their rows): until
 * then it runs and changes nothing, and says so in its state. */
#include "agents/agent_internal.h"

int story_weaver_run(AgentCtx *c, Err *err)
{
    (void)err;
    cJSON_DeleteItemFromObjectCaseSensitive(c->state, "waiting");
    cJSON_AddStringToObject(c->state, "waiting", "storylines are not played yet");
    return MA_OK;
}
